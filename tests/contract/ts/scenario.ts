// Drives every HTTP operation of /v1 through the client @hey-api/openapi-ts generated, against
// the emulator at process.argv[2] with the key process.argv[3]; then, for every other error
// status the document lists (process.argv[4]: a JSON file of operationId → [method, statuses]),
// repeats a successful call with a one-shot injected fault answering that status. Prints the
// operationIds it called as JSON. Compiled as CommonJS: the generated imports carry no file extensions. Run by tests/contract/test_typescript_sdk.py after `tsc --strict`.
import { createClient, createConfig } from "./public/client/index.js";
import * as api from "./public/index.js";
import { createClient as createControl } from "./control/client/index.js";
import { emulatorClockAdvance, emulatorCreateFault, type HttpMethod } from "./control/index.js";
import { readFileSync } from "node:fs";

const [root, key, statusFile] = process.argv.slice(2) as [string, string, string];
// fetch refuses "λ" in a header value: send the key's UTF-8 bytes, one latin-1 char each.
const wireKey = Buffer.from(key, "utf8").toString("latin1");
const client = createClient(createConfig({ baseUrl: `${root}/v1`, auth: () => wireKey }));
const control = createControl({ baseUrl: `${root}/_emulator` });
type Outcome = { data?: unknown; error?: unknown; response: Response };
const called = new Set<string>();
const succeeded = new Map<string, () => Promise<Outcome>>();

async function call<R extends Outcome>(id: string, status: number, send: () => Promise<R>): Promise<R> {
  const outcome = await send();
  called.add(id);
  if (status < 300 && !succeeded.has(id)) succeeded.set(id, send);
  const body = (status < 300 ? outcome.data : outcome.error) as { success?: boolean } | undefined;
  if (outcome.response.status !== status || body?.success !== status < 300) {
    throw new Error(`${id}: ${outcome.response.status} ${JSON.stringify(outcome.error ?? outcome.data)}`);
  }
  return outcome;
}

async function advance(seconds: number): Promise<void> {
  const { data } = await emulatorClockAdvance({ client: control, body: { seconds } });
  if (!data?.success) throw new Error("clock advance failed");
}

async function main(): Promise<void> {
  const account = (await call("getAccount", 200, () => api.getAccount({ client }))).data!.data;
  if (account.plan !== "professional") throw new Error(account.plan);
  await call("updateAccount", 200, () => api.updateAccount({ client, body: { name: "SDK tests" } }));
  await call("getQuota", 200, () => api.getQuota({ client }));
  const created = (await call("createApiKey", 201, () => api.createApiKey({ client, body: { name: "ci" } }))).data!.data;
  if (!created.key.startsWith("λ_sk_")) throw new Error(created.key);
  await call("listApiKeys", 200, () => api.listApiKeys({ client }));
  await call("deleteApiKey", 200, () => api.deleteApiKey({ client, path: { id: created.id } }));

  const instance = (await call("createInstance", 201, () => api.createInstance({
    client,
    body: { name: "ts-instance", instance_type: "compute-4x", region: "us-west-1", image: "ubuntu-22.04", ssh_keys: ["key_abc123"] },
  }))).data!.data;
  await advance(600);
  const running = (await call("getInstance", 200, () => api.getInstance({ client, path: { id: instance.id } }))).data!.data;
  if (running.status !== "running" || !running.public_ip) throw new Error(running.status);
  await call("listInstances", 200, () => api.listInstances({ client, query: { region: "us-west-1", status: "running" } }));
  await call("updateInstance", 200, () => api.updateInstance({ client, path: { id: instance.id }, body: { name: "renamed" } }));
  await call("getNetworkInfo", 200, () => api.getNetworkInfo({ client, path: { id: instance.id } }));
  await call("getMetrics", 200, () => api.getMetrics({ client, path: { id: instance.id } }));
  await call("streamMetrics", 400, () => api.streamMetrics({ client, path: { id: instance.id } }));
  await call("stopInstance", 200, () => api.stopInstance({ client, path: { id: instance.id } }));
  await advance(600);
  await call("resizeInstance", 200, () => api.resizeInstance({ client, path: { id: instance.id }, body: { instance_type: "compute-8x" } }));
  await advance(600);
  await call("startInstance", 200, () => api.startInstance({ client, path: { id: instance.id } }));
  await advance(600);
  await call("restartInstance", 200, () => api.restartInstance({ client, path: { id: instance.id } }));
  await advance(600);

  const volume = (await call("createVolume", 201, () => api.createVolume({ client, body: { name: "data", size_gb: 40, region: "us-west-1" } }))).data!.data;
  await advance(600);
  await call("listVolumes", 200, () => api.listVolumes({ client }));
  await call("attachVolume", 200, () => api.attachVolume({ client, path: { id: volume.id }, body: { instance_id: instance.id } }));
  await advance(600);
  const conflict = (await call("deleteVolume", 409, () => api.deleteVolume({ client, path: { id: volume.id } }))).error!;
  if (conflict.error.code !== "conflict") throw new Error(conflict.error.code);
  await call("resizeVolume", 200, () => api.resizeVolume({ client, path: { id: volume.id }, body: { size_gb: 80 } }));
  const snapshot = (await call("createSnapshot", 201, () => api.createSnapshot({ client, body: { volume_id: volume.id } }))).data!.data;
  await advance(600);
  await call("listSnapshots", 200, () => api.listSnapshots({ client }));
  await call("getSnapshot", 200, () => api.getSnapshot({ client, path: { id: snapshot.id } }));
  await call("restoreSnapshot", 201, () => api.restoreSnapshot({ client, path: { id: snapshot.id }, body: {} }));
  await call("deleteSnapshot", 200, () => api.deleteSnapshot({ client, path: { id: snapshot.id } }));
  await call("detachVolume", 200, () => api.detachVolume({ client, path: { id: volume.id } }));
  await advance(600);
  await call("getVolume", 200, () => api.getVolume({ client, path: { id: volume.id } }));
  await call("deleteVolume", 200, () => api.deleteVolume({ client, path: { id: volume.id } }));

  const rule = (await call("createFirewallRule", 201, () => api.createFirewallRule({
    client,
    body: { direction: "inbound", protocol: "tcp", ports: "22", cidr: "0.0.0.0/0", instance_id: instance.id },
  }))).data!.data;
  await call("listFirewallRules", 200, () => api.listFirewallRules({ client }));
  await call("deleteFirewallRule", 200, () => api.deleteFirewallRule({ client, path: { id: rule.id } }));
  const headers = { "Idempotency-Key": "vpn-1" };
  const vpn = (await call("createVpn", 201, () => api.createVpn({ client, headers, body: { name: "office", region: "eu-west-1" } }))).data!.data;
  const reused = (await call("createVpn", 422, () => api.createVpn({ client, headers, body: { name: "other", region: "eu-west-1" } }))).error!;
  if (reused.error.code !== "idempotency_key_reused") throw new Error(reused.error.code);
  await call("listVpns", 200, () => api.listVpns({ client }));
  await call("getVpn", 200, () => api.getVpn({ client, path: { id: vpn.id } }));
  await call("deleteVpn", 200, () => api.deleteVpn({ client, path: { id: vpn.id } }));

  await call("getUsage", 200, () => api.getUsage({ client }));
  await call("listInvoices", 200, () => api.listInvoices({ client }));
  await call("getInvoice", 404, () => api.getInvoice({ client, path: { id: "inv_missing" } }));
  await call("estimateCost", 200, () => api.estimateCost({ client, query: { instance_type: "compute-4x" } }));

  const hook = (await call("createWebhook", 201, () => api.createWebhook({
    client,
    body: { url: "http://127.0.0.1:9/hook", events: ["instance.created"], secret: "s3cret-value" },
  }))).data!.data;
  await call("listWebhooks", 200, () => api.listWebhooks({ client }));
  await call("getWebhook", 200, () => api.getWebhook({ client, path: { id: hook.id } }));
  await call("updateWebhook", 200, () => api.updateWebhook({ client, path: { id: hook.id }, body: { description: "retrying" } }));
  const delivery = (await call("pingWebhook", 202, () => api.pingWebhook({ client, path: { id: hook.id } }))).data!.data;
  await call("listWebhookDeliveries", 200, () => api.listWebhookDeliveries({ client, path: { id: hook.id } }));
  await call("getWebhookDelivery", 200, () => api.getWebhookDelivery({ client, path: { id: hook.id, delivery_id: delivery.id } }));
  await call("redeliverWebhookDelivery", 409, () => api.redeliverWebhookDelivery({ client, path: { id: hook.id, delivery_id: delivery.id } }));
  await call("deleteWebhook", 200, () => api.deleteWebhook({ client, path: { id: hook.id } }));
  await call("deleteInstance", 200, () => api.deleteInstance({ client, path: { id: instance.id } }));
  await advance(600);
  await call("getInstance", 404, () => api.getInstance({ client, path: { id: instance.id } }));
  await call("listInstances", 400, () => api.listInstances({ client, query: { limit: 1000 } }));
  const stranger = createClient(createConfig({ baseUrl: `${root}/v1`, auth: () => "unknown-key" }));
  await call("getAccount", 401, () => api.getAccount({ client: stranger }));

  const documented = JSON.parse(readFileSync(statusFile, "utf8")) as Record<string, [string, number[]]>;
  for (const [id, send] of succeeded) {
    const [method, statuses] = documented[id]!;
    for (const status of statuses) {
      const rule = await emulatorCreateFault({
        client: control,
        body: { path: "/v1/*", method: method as HttpMethod, status, count: 1 },
      });
      if (rule.response.status !== 201) throw new Error(`fault for ${id} ${status}`);
      const outcome = await send();
      const error = outcome.error as { success?: boolean } | undefined;
      if (outcome.response.status !== status || error?.success !== false) {
        throw new Error(`${id} with an injected ${status}: ${outcome.response.status}`);
      }
    }
  }
  console.log(JSON.stringify([...called].sort()));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
