/**
 * When a schedule fires: an NCRONTAB expression as Functions timers read it (six fields, seconds
 * first, in UTC: `0 30 2 * * *` is 02:30:00 every day), or an interval as a TimeSpan (`hh:mm:ss` or
 * `d.hh:mm:ss`, at least a second). Intervals fire on the multiples of their length since
 * 1970-01-01T00:00:00Z, so every app instance, and every restart, agrees on the tick times: a
 * tick's time is its identity. Parsed with cron-parser; pure.
 */
import { CronExpressionParser } from 'cron-parser';

export type Timing =
  | { readonly kind: 'cron'; readonly expression: string }
  | { readonly kind: 'interval'; readonly ms: number; readonly expression: string };

const TIMESPAN = /^(?:(\d{1,3})\.)?(\d{1,2}):(\d{2}):(\d{2})$/;
/** The shortest interval: a tick per second, as the shortest NCRONTAB. */
export const MIN_INTERVAL_MS = 1_000;

/** The timing of an expression, or why it is none. */
export function parseTiming(expression: string): Timing | { readonly problem: string } {
  const text = expression.trim();
  const span = TIMESPAN.exec(text);
  if (span) {
    const [, days = '0', hours, minutes, seconds] = span;
    if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
      return {
        problem: 'a TimeSpan is d.hh:mm:ss with hours below 24, minutes and seconds below 60',
      };
    }
    const ms =
      (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
    if (ms < MIN_INTERVAL_MS) return { problem: 'an interval must be at least 00:00:01' };
    return { kind: 'interval', ms, expression: text };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 6) {
    return {
      problem: `an NCRONTAB expression has six fields, {second} {minute} {hour} {day} {month} {day-of-week} (got ${fields.length}), and an interval is hh:mm:ss`,
    };
  }
  try {
    CronExpressionParser.parse(text, { tz: 'UTC', strict: false });
  } catch (error) {
    return { problem: `an invalid NCRONTAB expression: ${(error as Error).message}` };
  }
  return { kind: 'cron', expression: text };
}

/** The first tick strictly after `after`. */
export function nextTick(timing: Timing, after: Date): Date {
  if (timing.kind === 'interval') {
    return new Date((Math.floor(after.getTime() / timing.ms) + 1) * timing.ms);
  }
  return CronExpressionParser.parse(timing.expression, { tz: 'UTC', currentDate: after })
    .next()
    .toDate();
}

/**
 * The ticks in (`after`, `until`], oldest first, at most `max`; `more` when others follow before
 * `until`.
 */
export function ticksBetween(
  timing: Timing,
  after: Date,
  until: Date,
  max: number,
): { ticks: Date[]; more: boolean } {
  const ticks: Date[] = [];
  let at = after;
  for (;;) {
    const tick = nextTick(timing, at);
    if (tick.getTime() > until.getTime()) return { ticks, more: false };
    if (ticks.length === max) return { ticks, more: true };
    ticks.push(tick);
    at = tick;
  }
}
