import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IdleDeadline } from "./waiting_poll.ts";

describe("IdleDeadline", () => {
  it("expires its poll once, at the poll's deadline", () => {
    let expired = 0;
    const place = new IdleDeadline({ deadline: 25_000, expire: () => void expired++ });
    assert.equal(place.deadline, 25_000);
    place.expire();
    place.expire();
    assert.equal(expired, 1);
  });

  it("lets go of a poll that ended early: its deadline then does nothing", () => {
    let expired = 0;
    const place = new IdleDeadline({ deadline: 25_000, expire: () => void expired++ });
    place.cancel();
    place.expire();
    assert.equal(expired, 0);
  });
});
