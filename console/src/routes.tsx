/**
 * The console's screens, by path. Add a screen here: its path (with `:param` segments), its
 * title, whether it is in the navigation bar (in this order), and its component.
 */
import type { RouteDef } from './router';
import { DestinationsScreen } from './screens/destinations';
import { EventTypesScreen } from './screens/event-types';
import { EventSchemaScreen } from './screens/event-schema';

export const routes: RouteDef[] = [
  { path: '/destinations', title: 'Destinations', nav: true, component: DestinationsScreen },
  { path: '/event-types', title: 'Event catalog', nav: true, component: EventTypesScreen },
  { path: '/event-types/:name', title: 'Event schema', component: EventSchemaScreen },
];

/** Where `/console/` lands. */
export const HOME = '/destinations';
