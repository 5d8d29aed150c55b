/**
 * Counts of one board taken since the last flush, per minute of the view (a view is filed under the
 * minute it happened, not the minute of the flush) and member.
 */
export class PendingCounts {
  private readonly byMinute = new Map<number, Map<string, number>>();
  private entries = 0;

  /** Distinct (minute, member) pairs held. */
  get size(): number {
    return this.entries;
  }

  /**
   * Adds `by` to the member's count of that minute: `added` to a pair already held, `new` for a new
   * pair, `dropped` (nothing changed) when a new pair is needed but `mayGrow` is false.
   */
  add(minute: number, member: string, by: number, mayGrow: boolean): 'added' | 'new' | 'dropped' {
    let members = this.byMinute.get(minute);
    const count = members?.get(member);
    if (count !== undefined) {
      members!.set(member, count + by);
      return 'added';
    }
    if (!mayGrow) return 'dropped';
    if (!members) {
      members = new Map();
      this.byMinute.set(minute, members);
    }
    members.set(member, by);
    this.entries++;
    return 'new';
  }

  /** Drops every count of `member`; answers how many pairs went. */
  forget(member: string): number {
    let removed = 0;
    for (const members of this.byMinute.values()) if (members.delete(member)) removed++;
    this.entries -= removed;
    return removed;
  }

  /** Hands over every count held and starts empty. */
  take(): Map<number, Map<string, number>> {
    const taken = new Map(this.byMinute);
    this.byMinute.clear();
    this.entries = 0;
    return taken;
  }
}
