/**
 * The console's screens, by path. Add a screen here: its path (with `:param` segments), its
 * title, whether it is in the navigation bar (in this order), and its component.
 */
import type { RouteDef } from './router';
import { DestinationsScreen } from './screens/destinations';
import { EventTypesScreen } from './screens/event-types';
import { EventSchemaScreen } from './screens/event-schema';
import { CredentialsScreen } from './credentials/credentials-screen';
import { SourcesScreen } from './sources/sources-screen';
import { NotificationScreen } from './webhooks/notification';
import { WebhookWizardScreen } from './webhooks/wizard';

export const routes: RouteDef[] = [
  { path: '/destinations', title: 'Destinations', nav: true, component: DestinationsScreen },
  { path: '/event-types', title: 'Event catalog', nav: true, component: EventTypesScreen },
  { path: '/event-types/:name', title: 'Event schema', component: EventSchemaScreen },
  { path: '/webhooks/new', title: 'Create a Webhook', nav: true, component: WebhookWizardScreen },
  { path: '/webhooks/:name/edit', title: 'Edit webhook', component: WebhookWizardScreen },
  { path: '/notifications/new', title: 'New notification', nav: true, component: NotificationScreen },
  { path: '/notifications/:name/edit', title: 'Edit notification', component: NotificationScreen },
  { path: '/credentials', title: 'Credential sets', nav: true, component: CredentialsScreen },
  { path: '/sources', title: 'Sources', nav: true, component: SourcesScreen },
];

/** Where `/console/` lands. */
export const HOME = '/destinations';
