import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectionBudget, ConnectionGate, type GateEvent } from "./connection_gate.ts";

describe("ConnectionGate", () => {
  it("admit() refuses past the limit and reports it once per episode, and the end once", () => {
    const events: GateEvent[] = [];
    const gate = new ConnectionGate(100, (event) => events.push(event), () => 0);
    for (let i = 0; i < 99; i++) assert.equal(gate.admit(), true);
    assert.deepEqual(events, []);
    assert.equal(gate.admit(), true);
    assert.deepEqual(events, [{ kind: "full", limit: 100 }], "reaching the limit is reported");
    for (let i = 0; i < 5; i++) assert.equal(gate.admit(), false);
    assert.deepEqual(events, [{ kind: "full", limit: 100 }]);
    gate.release();
    assert.equal(gate.admit(), true);
    assert.equal(gate.admit(), false);
    for (let i = 0; i < 9; i++) gate.release();
    assert.equal(events.length, 1, "the episode lasts until a tenth of the budget is free");
    gate.release();
    assert.deepEqual(events, [{ kind: "full", limit: 100 }, { kind: "open", limit: 100 }]);
    assert.equal(gate.admit(), true);
  });

  it("admit() reports no second episode within a minute of the first, nor its end", () => {
    const events: GateEvent["kind"][] = [];
    let now = 0;
    const gate = new ConnectionGate(10, (event) => events.push(event.kind), () => now);
    const fill = () => {
      while (gate.admit());
    };
    const drain = () => {
      for (let i = 0; i < 10; i++) gate.release();
    };
    fill();
    drain();
    now = 59_000;
    fill();
    drain();
    assert.deepEqual(events, ["full", "open"]);
    now = 120_000;
    fill();
    drain();
    assert.deepEqual(events, ["full", "open", "full", "open"]);
  });

  it("connectionBudget() is the soft open-files limit less what is open and a reserve", () => {
    const limits = "Max processes             7823                 7823                 processes\n" +
      "Max open files            1024                 4096                 files\n";
    assert.equal(connectionBudget(limits, 25), 1024 - 25 - 16);
    assert.equal(
      connectionBudget("Max open files            unlimited            unlimited            files", 3),
      Infinity,
    );
    assert.equal(connectionBudget(null, 3), Infinity);
    assert.equal(
      connectionBudget("Max open files            20                   20                   files", 10),
      1,
    );
  });
});
