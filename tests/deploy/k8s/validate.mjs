// Validates one rendered overlay of deploy/kubernetes (kubectl kustomize output) offline:
//  - every object against the Kubernetes API schema of its kind (kubernetes-models);
//  - the workloads against the deployment config they carry (the ConfigMap ocop-config): a
//    StatefulSet, a headless Service, a key Secret and a NetworkPolicy for each service of the
//    config, the same name, ports and store directory, and a policy letting in exactly the peers
//    of the service's allow list; the gateway as a Deployment ready on /healthz.
// Writes the config to CONFIG_OUT so the caller can pass it to `ocopctl config check`, and the
// programs the containers run to PROGRAMS_OUT (one per line).
//
//   node validate.mjs RENDERED.yaml CONFIG_OUT PROGRAMS_OUT
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [rendered, configOut, programsOut] = process.argv.slice(2);
const problems = [];
const problem = (what) => problems.push(what);

const docs = parseAllDocuments(readFileSync(rendered, "utf8")).map((d) => d.toJSON()).filter(Boolean);
if (docs.length === 0) problem("no objects rendered");
// kustomize folds a Secret's base64 values into lines; the API server's decoder skips line
// breaks, the schema's "byte" format does not.
for (const o of docs)
  if (o.kind === "Secret") for (const k of Object.keys(o.data ?? {})) o.data[k] = o.data[k].replace(/\s+/g, "");

// Schema of each object's kind.
for (const o of docs) {
  const id = `${o.kind}/${o.metadata?.name}`;
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${o.kind}` : `kubernetes-models/${version}/${o.kind}`;
  let model;
  try {
    model = (await import(path))[o.kind];
  } catch {
    problem(`${id}: no schema for ${o.apiVersion} ${o.kind}`);
    continue;
  }
  try {
    new model(o).validate();
  } catch (e) {
    problem(`${id}: ${e.message}`);
  }
}

const find = (kind, name) => docs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const byPrefix = (kind, prefix) => docs.find((o) => o.kind === kind && o.metadata.name.startsWith(prefix));
const configMap = byPrefix("ConfigMap", "ocop-config");
if (!configMap) {
  problem("no ConfigMap ocop-config");
} else {
  const config = JSON.parse(configMap.data["ocop.json"]);
  writeFileSync(configOut, configMap.data["ocop.json"]);
  const component = (name) => (name.startsWith("evaluation-") ? "evaluation" : name);
  const port = (endpoint) => Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
  for (const [name, section] of Object.entries(config.services)) {
    const sts = find("StatefulSet", name);
    if (!sts) {
      problem(`service ${name} of the config has no StatefulSet`);
      continue;
    }
    const pod = sts.spec.template.spec;
    const main = pod.containers[0];
    const cmd = main.command ?? [];
    if (cmd[cmd.indexOf("--name") + 1] !== name) problem(`StatefulSet ${name} does not run section ${name}`);
    const ports = main.ports.map((p) => p.containerPort).sort();
    const want = [port(section.endpoint), port(section.events_endpoint)].sort();
    if (JSON.stringify(ports) !== JSON.stringify(want)) problem(`StatefulSet ${name}: ports ${ports}, config ${want}`);
    if (!section.endpoint.startsWith(`tcp://${name}-0.${name}:`)) problem(`${name}: endpoint ${section.endpoint} is not its pod's`);
    const svc = find("Service", name);
    if (!svc || svc.spec.clusterIP !== "None") problem(`${name}: no headless Service`);
    else if (JSON.stringify(svc.spec.ports.map((p) => p.port).sort()) !== JSON.stringify(want)) problem(`Service ${name}: ports`);
    const store = section.store_dir ?? `${config.data_dir}/${name}`;
    const claims = (sts.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name);
    const dataMount = main.volumeMounts.find((m) => claims.includes(m.name));
    if (!dataMount || dataMount.mountPath !== store) problem(`${name}: its store ${store} is not on its volume`);
    const secret = pod.volumes.find((v) => v.secret)?.secret.secretName ?? "";
    if (!secret.startsWith(`ocop-key-${name}-`) || !find("Secret", secret)) problem(`${name}: no Secret with its key`);
    if (!main.livenessProbe?.exec?.command?.includes("ping")) problem(`${name}: liveness is not the service's ping`);
    const policy = find("NetworkPolicy", name);
    const allowed = new Set(section.allow.map(component));
    const from = policy?.spec.ingress?.[0]?.from ?? [];
    const letIn = new Set(from.flatMap((f) => f.podSelector?.matchExpressions?.[0]?.values ?? []));
    if (!policy || [...allowed].some((a) => !letIn.has(a)) || [...letIn].some((a) => !allowed.has(a)))
      problem(`NetworkPolicy ${name} lets in [${[...letIn]}], its allow list is [${[...allowed]}]`);
    if (!find("PodDisruptionBudget", name)) problem(`${name}: no PodDisruptionBudget`);
  }
  for (const sts of docs.filter((o) => o.kind === "StatefulSet"))
    if (!config.services[sts.metadata.name]) problem(`StatefulSet ${sts.metadata.name} is not a service of the config`);
  const gw = find("Deployment", "gateway");
  if (!gw) problem("no gateway Deployment");
  else if (gw.spec.template.spec.containers[0].readinessProbe?.httpGet?.path !== "/healthz") problem("gateway: not ready on /healthz");
  if (!config.gateway || port(`:${config.gateway.listen.split(":").pop()}`) !== 8080) problem("gateway: not on 8080");
}
if (!find("NetworkPolicy", "default-deny-ingress")) problem("no default-deny NetworkPolicy");

const programs = new Set();
for (const o of docs) {
  const spec = o.spec?.template?.spec;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) if (c.command) programs.add(c.command[0]);
  for (const c of spec?.containers ?? [])
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) if (probe?.exec) programs.add(probe.exec.command[0]);
}
writeFileSync(programsOut, [...programs].join("\n") + "\n");

if (problems.length) {
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`${docs.length} objects valid`);
