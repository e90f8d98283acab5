/**
 * Event groups of the "Create a Webhook" wizard: the Capillary catalog in named groups, so a
 * webhook subscribes to a group chosen once (a destination's events are fixed after creation).
 * "Custom" takes any names — sources without a catalog (server, Segment, …) send their own.
 * test/unit/console/config-rules.test.ts checks the groups cover the catalog exactly.
 */

export interface EventGroup {
  id: string;
  label: string;
  events: readonly string[];
}

export const CUSTOM_GROUP = 'custom';

export const EVENT_GROUPS: readonly EventGroup[] = [
  {
    id: 'points',
    label: 'Points',
    events: [
      'pointsIssued',
      'pointsRedeemed',
      'pointsExpired',
      'pointsExpiryReminder',
      'pointsExpiryChange',
      'singlePointsExpiryUpdated',
      'manualPointsAdjustment',
      'issuedPointsReversed',
      'redeemedPointsReversed',
      'promisedToCurrentPointsConversion',
      'pointsTransferredInitiated',
      'pointsTransferredReceived',
      'pointsContributionToGroup',
    ],
  },
  { id: 'tiers', label: 'Tiers', events: ['tierUpgraded', 'tierDowngraded', 'tierRenewed', 'tierDowngradeReminder'] },
  {
    id: 'customers',
    label: 'Customers',
    events: ['customerAdded', 'customerUpdated', 'cardUpdated', 'loyaltyCustomerMerge', 'supplementaryMembershipExpiryReminder'],
  },
  {
    id: 'transactions',
    label: 'Transactions',
    events: [
      'transactionAdded',
      'transactionUpdated',
      'transactionRejected',
      'rejectedTransactionRetrigger',
      'retroBillAdded',
      'notInterestedBillAdded',
    ],
  },
  {
    id: 'rewards',
    label: 'Rewards, coupons and badges',
    events: [
      'rewardCreated',
      'rewardIssued',
      'rewardUpdated',
      'issueRewardFailure',
      'CouponIssue',
      'CouponRedeem',
      'IssueBulkCoupon',
      'badgeEarned',
    ],
  },
  {
    id: 'promotions',
    label: 'Promotions',
    events: [
      'promotionIssued',
      'promotionEarned',
      'cartPromotionIssued',
      'cartPromotionEarned',
      'cartPromotionRedeemed',
      'cartPromotionRevoked',
    ],
  },
  { id: 'currencies', label: 'Alternate currencies', events: ['alternateCurrenciesIssued', 'issuedAlternateCurrenciesReversed'] },
  {
    id: 'targets',
    label: 'Targets and streaks',
    events: [
      'targetCustomerEnrolment',
      'targetPeriodStarted',
      'targetPeriodCompleted',
      'targetValueUpdated',
      'targetValueAchieved',
      'targetAchievedValueUpdated',
      'unifiedTargetsAchieved',
      'unifiedTargetsUnAchieved',
      'streakCustomerEnrolment',
      'streakCustomerUnEnrolment',
      'streakLevelAchieved',
      'streakLevelUnAchieved',
    ],
  },
  { id: 'groups', label: 'Customer groups', events: ['groupCreated', 'groupUpdated', 'groupMemberAdded', 'groupMemberRemoved'] },
  { id: 'partners', label: 'Partner programs', events: ['partnerProgramLinked', 'partnerProgramDelinked', 'partnerProgramUpdated'] },
  { id: 'requests', label: 'Requests', events: ['requestUpdated', 'requestWorkflowEvent'] },
];

/** The group whose events are exactly `events` (any order), else the custom group. */
export function groupOf(events: readonly string[]): string {
  const wanted = [...events].sort().join('\n');
  return EVENT_GROUPS.find((g) => [...g.events].sort().join('\n') === wanted)?.id ?? CUSTOM_GROUP;
}

/** The events a group subscribes to; the custom group has none of its own. */
export function eventsOfGroup(id: string): readonly string[] {
  return EVENT_GROUPS.find((g) => g.id === id)?.events ?? [];
}

/** A custom list as typed: names separated by commas, spaces or lines; duplicates dropped. */
export function parseEventList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))];
}
