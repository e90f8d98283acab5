/**
 * Billable actions of one run, counted from its history by Temporal Cloud's published rules:
 * the workflow start; each activity attempt; each timer; each search-attribute upsert (those
 * given at start are free); all local-activity markers recorded by one workflow task together;
 * each signal and each accepted update. The bench prints it per event; tests use it to hold the
 * healthy path to its budget.
 */
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface ActionCount {
  total: number;
  starts: number;
  activityAttempts: number;
  timers: number;
  upserts: number;
  /** Workflow tasks that recorded at least one marker (local activities): one action each. */
  markerTasks: number;
  signals: number;
  updates: number;
}

const n = (v: unknown): number => Number(v ?? 0);

export function countBillableActions(events: HistoryEvent[]): ActionCount {
  const count: ActionCount = { total: 0, starts: 0, activityAttempts: 0, timers: 0, upserts: 0, markerTasks: 0, signals: 0, updates: 0 };
  const markerTasks = new Set<number>();
  const scheduled = new Map<number, number>(); // activity scheduled event id → attempts seen
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) count.starts++;
    else if (e.activityTaskScheduledEventAttributes) scheduled.set(n(e.eventId), 0);
    else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      // The started event of the last attempt carries its number; earlier attempts are not in history.
      scheduled.set(n(a.scheduledEventId), Math.max(1, n(a.attempt)));
    } else if (e.timerStartedEventAttributes) count.timers++;
    else if (e.upsertWorkflowSearchAttributesEventAttributes) count.upserts++;
    else if (e.markerRecordedEventAttributes) markerTasks.add(n(e.markerRecordedEventAttributes.workflowTaskCompletedEventId));
    else if (e.workflowExecutionSignaledEventAttributes) count.signals++;
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) count.updates++;
  }
  // An activity scheduled but never started (cancelled before it ran) cost nothing.
  for (const attempts of scheduled.values()) count.activityAttempts += attempts;
  count.markerTasks = markerTasks.size;
  count.total = count.starts + count.activityAttempts + count.timers + count.upserts + count.markerTasks + count.signals + count.updates;
  return count;
}
