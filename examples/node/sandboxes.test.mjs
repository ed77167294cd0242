// One emulator shared by parallel tests: each test gets a sandbox of its own.
// Run: LAMBDA_EMULATOR_URL=http://127.0.0.1:8787 node --test examples/node/sandboxes.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";

const URL = process.env.LAMBDA_EMULATOR_URL ?? "http://127.0.0.1:8787";

// fetch refuses "λ" in a header value; send the key's UTF-8 bytes as Latin-1 characters,
// which is what goes over the wire and what the emulator reads back as UTF-8.
const wire = (text) => Buffer.from(text, "utf8").toString("latin1");

async function call(method, path, { key, body } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (key) headers.Authorization = wire(`Bearer ${key}`);
  const response = await fetch(URL + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

// A sandbox per test: its own account, key, clock and control plane.
async function sandbox(t, name) {
  const created = await call("POST", "/_emulator/sandboxes", { body: { name } });
  assert.equal(created.status, 201);
  const { id, api_key: key } = created.json.data;
  t.after(() => call("DELETE", `/_emulator/sandboxes/${id}`));
  return { key, control: (method, path, body) => call(method, `/_emulator/sandboxes/${id}${path}`, { body }) };
}

const instance = (name) => ({
  name,
  instance_type: "compute-1x",
  region: "us-west-1",
  image: "ubuntu-22.04",
});

// The tests run at once, against one emulator, and never see each other.
describe("parallel tests, one emulator", { concurrency: true }, () => {
  for (const n of [1, 2, 3, 4, 5, 6]) {
    test(`worker ${n}: an instance starts on its own sandbox's clock`, async (t) => {
      const { key, control } = await sandbox(t, `node-${n}`);
      const made = await call("POST", "/v1/instances", { key, body: instance(`web-${n}`) });
      assert.equal(made.status, 201);
      assert.equal(made.json.data.status, "pending");

      await control("POST", "/clock/advance", { seconds: 120 });
      const listed = await call("GET", "/v1/instances", { key });
      assert.deepEqual(listed.json.data.map((i) => i.name), [`web-${n}`]); // only its own
      assert.equal(listed.json.data[0].status, "running");

      await control("POST", "/faults", { path: "/v1/account", status: 503 });
      assert.equal((await call("GET", "/v1/account", { key })).status, 503);

      await control("POST", "/reset");
      assert.deepEqual((await call("GET", "/v1/instances", { key })).json.data, []);
      assert.equal((await call("GET", "/v1/account", { key })).status, 200);
    });
  }
});
