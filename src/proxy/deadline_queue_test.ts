import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DeadlineQueue } from "./deadline_queue.ts";
import { FakeTimers } from "./fake_timers.ts";

function setup() {
  const timers = new FakeTimers();
  const queue = new DeadlineQueue(timers);
  const expired: string[] = [];
  const item = (name: string, deadline: number) => ({ deadline, expire: () => void expired.push(name) });
  return { timers, queue, expired, item };
}

describe("DeadlineQueue", () => {
  it("DeadlineQueue expires each item at its deadline, in deadline order, on one timer", () => {
    const { timers, queue, expired, item } = setup();
    queue.add(item("b", 200));
    queue.add(item("c", 300));
    queue.add(item("a", 100));
    assert.equal(timers.armed, 1, "one timer, however many items");
    timers.advance(99);
    assert.deepEqual(expired, []);
    timers.advance(1);
    assert.deepEqual(expired, ["a"]);
    timers.advance(200);
    assert.deepEqual(expired, ["a", "b", "c"]);
    assert.equal(queue.size, 0);
    assert.equal(timers.armed, 0, "no timer is left armed once the queue is empty");
  });

  it("DeadlineQueue never calls expire() from add(), even for a deadline already past", () => {
    const { timers, queue, expired, item } = setup();
    timers.advance(1000);
    queue.add(item("late", 10));
    assert.deepEqual(expired, []);
    timers.advance(0);
    assert.deepEqual(expired, ["late"]);
  });

  it("DeadlineQueue stays correct across thousands of items, compacting as it goes", () => {
    const { timers, queue, expired, item } = setup();
    for (let i = 0; i < 5000; i++) {
      queue.add(item(`p${i}`, i));
      if (i % 2 === 1) timers.advance(1);
    }
    timers.advance(5000);
    assert.equal(expired.length, 5000);
    assert.deepEqual(expired.slice(0, 3), ["p0", "p1", "p2"]);
    assert.equal(expired[4999], "p4999");
    assert.equal(queue.size, 0);
  });

  it("DeadlineQueue.clear() drops every item and disarms its timer", () => {
    const { timers, queue, expired, item } = setup();
    queue.add(item("a", 100));
    queue.clear();
    assert.equal(timers.armed, 0);
    timers.advance(1000);
    assert.deepEqual(expired, []);
  });
});
