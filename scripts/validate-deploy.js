// Validates deploy/kubernetes offline: every object against the Kubernetes JSON schemas that
// kubernetes-models ships (compiled ajv validators, no cluster, no network), then the few things
// a schema cannot see: probes on the routes the service serves, a grace period that covers the
// drain, selectors that match the pods, settings the service knows. The overlays beside it
// (deploy/redis-sentinel-tls) are applied to it as kustomize would and checked alike. Also checks
// that Compose's Prometheus scrapes the port the instances serve metrics on, and that its Sentinel
// profile hangs together. Exit code 1 on any problem.
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { parse, parseAllDocuments } = require('yaml');

const root = join(__dirname, '..');
const dir = join(root, 'deploy', 'kubernetes');
const OVERLAYS = ['redis-sentinel-tls'];
const SECRET_TEMPLATE = 'secret.example.yaml';
const REQUEST_TIMEOUT_MS = 30000;
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

const documented = new Set(
  [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map(
    (match) => match[1],
  ),
);

function loadObjects(from = dir) {
  const objects = [];
  for (const file of readdirSync(from).filter((name) => /\.ya?ml$/.test(name))) {
    for (const doc of parseAllDocuments(readFileSync(join(from, file), 'utf8'))) {
      if (doc.errors.length > 0) problem(file, doc.errors.map(String).join('; '));
      const object = doc.toJS();
      if (object) objects.push({ file, object });
    }
  }
  return objects;
}

// kubernetes-models is an ES module: imported, not required.
async function validateSchema({ file, object }) {
  const { apiVersion, kind } = object;
  let Model;
  try {
    Model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    return problem(file, `no schema for ${apiVersion} ${kind}`);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problem(`${file} (${kind} ${object.metadata?.name})`, error.message);
  }
}

function checkKustomization(objects, kustomization) {
  const listed = new Set(kustomization.resources ?? []);
  const files = new Set(objects.map(({ file }) => file));
  for (const file of files) {
    if (file !== SECRET_TEMPLATE && !listed.has(file))
      problem('kustomization.yaml', `misses ${file}`);
  }
  for (const file of listed)
    if (!files.has(file)) problem('kustomization.yaml', `lists missing ${file}`);
  if (listed.has(SECRET_TEMPLATE))
    problem('kustomization.yaml', 'must not apply the Secret template');
}

function checkDeployment(byKind) {
  const deployment = byKind.Deployment;
  const pod = deployment.spec.template;
  const labels = pod.metadata.labels;
  const matches = (selector) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  const container = pod.spec.containers[0];
  const ports = new Set(container.ports.map((port) => port.name));
  const probes = {
    readinessProbe: '/health',
    livenessProbe: '/health/live',
    startupProbe: '/health/live',
  };
  for (const [probe, path] of Object.entries(probes)) {
    const get = container[probe]?.httpGet;
    if (get?.path !== path) problem('deployment.yaml', `${probe} must GET ${path}`);
    if (get && !ports.has(get.port))
      problem('deployment.yaml', `${probe} port ${get.port} is not a container port`);
  }
  const config = byKind.ConfigMap.data;
  const drainMs = Number(config.SHUTDOWN_DRAIN_MS ?? 0);
  const graceMs = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  if (graceMs < drainMs + REQUEST_TIMEOUT_MS) {
    problem(
      'deployment.yaml',
      `terminationGracePeriodSeconds must cover SHUTDOWN_DRAIN_MS + ${REQUEST_TIMEOUT_MS} ms`,
    );
  }
  const metricsPort = pod.metadata.annotations?.['prometheus.io/port'];
  if (metricsPort !== config.METRICS_PORT)
    problem('deployment.yaml', 'prometheus.io/port must be METRICS_PORT');
  if (!container.ports.some((port) => String(port.containerPort) === config.PORT)) {
    problem('deployment.yaml', 'no container port for PORT');
  }
  if (!matches(deployment.spec.selector.matchLabels))
    problem('deployment.yaml', 'selector misses the pod labels');
  if (!matches(byKind.Service.spec.selector))
    problem('service.yaml', 'selector misses the pod labels');
  if (!matches(byKind.PodDisruptionBudget.spec.selector.matchLabels))
    problem('pdb.yaml', 'selector misses the pod labels');
  const target = byKind.HorizontalPodAutoscaler.spec.scaleTargetRef;
  if (target.kind !== 'Deployment' || target.name !== deployment.metadata.name)
    problem('hpa.yaml', 'does not scale the Deployment');
  if (!container.resources?.requests?.cpu)
    problem('deployment.yaml', 'the HPA needs a CPU request');
  for (const ref of container.envFrom) {
    const name = ref.configMapRef?.name ?? ref.secretRef?.name;
    if (name !== byKind.ConfigMap.metadata.name)
      problem('deployment.yaml', `envFrom ${name} names no manifest`);
  }
}

function checkSettings(objects) {
  for (const { file, object } of objects) {
    const data =
      object.kind === 'ConfigMap'
        ? object.data
        : object.kind === 'Secret'
          ? object.stringData
          : null;
    for (const key of Object.keys(data ?? {})) {
      if (!documented.has(key))
        problem(file, `${key} is not a variable of the service (.env.example)`);
    }
  }
  const secret = objects.find(({ object }) => object.kind === 'Secret');
  if (!secret?.object.stringData?.SESSION_SECRET)
    problem(SECRET_TEMPLATE, 'must hold SESSION_SECRET');
}

/**
 * A strategic merge patch as kustomize applies it to these manifests: maps merge, null removes a
 * key, lists of named objects (containers, volumes, mounts) merge by name, other lists are replaced.
 */
function merge(base, patch) {
  if (Array.isArray(patch)) {
    if (!Array.isArray(base) || !patch.every((item) => item?.name)) return patch;
    const merged = base.map((item) => {
      const over = patch.find((candidate) => candidate.name === item.name);
      return over ? merge(item, over) : item;
    });
    return [...merged, ...patch.filter((item) => !base.some((old) => old.name === item.name))];
  }
  if (patch === null || typeof patch !== 'object') return patch;
  const merged = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = merge(merged[key], value);
  }
  return merged;
}

/** The base with the overlay's patches applied, for the same checks as the base. */
function applyOverlay(name, base) {
  const from = join(root, 'deploy', name);
  const where = `deploy/${name}`;
  const loaded = loadObjects(from);
  const kustomization = loaded.find(({ object }) => object.kind === 'Kustomization')?.object;
  if (!kustomization) return problem(where, 'no kustomization.yaml');
  if (JSON.stringify(kustomization.resources) !== JSON.stringify(['../kubernetes']))
    problem(where, 'must build on ../kubernetes alone');
  const patched = base.map(({ file, object }) => ({ file: `${where} + ${file}`, object }));
  for (const { path } of kustomization.patches ?? []) {
    const patch = loaded.find(({ file }) => file === path)?.object;
    if (!patch) {
      problem(where, `patch ${path} is missing`);
      continue;
    }
    const target = patched.find(
      ({ object }) => object.kind === patch.kind && object.metadata.name === patch.metadata.name,
    );
    if (!target) problem(`${where}/${path}`, `patches no ${patch.kind} of the base`);
    else target.object = merge(target.object, patch);
  }
  return patched;
}

/** REDIS_TLS_CA_FILE, when set, is a file in a volume mounted into the container from a Secret. */
function checkCaFile(where, byKind) {
  const caFile = byKind.ConfigMap.data.REDIS_TLS_CA_FILE;
  if (!caFile) return;
  const pod = byKind.Deployment.spec.template.spec;
  const mount = (pod.containers[0].volumeMounts ?? []).find(({ mountPath }) =>
    caFile.startsWith(`${mountPath.replace(/\/$/, '')}/`),
  );
  const volume = mount && (pod.volumes ?? []).find(({ name }) => name === mount.name);
  if (!volume?.secret && !volume?.configMap)
    problem(
      where,
      `REDIS_TLS_CA_FILE ${caFile} is in no volume mounted from a Secret or ConfigMap`,
    );
}

/** The ACL rules (after the password) of `user` in an ACL file, or of `ACL SETUSER user` in the README. */
function aclRules(text, prefix) {
  const line = text.split('\n').find((candidate) => candidate.trim().startsWith(prefix));
  return line?.trim().slice(prefix.length).trim().split(/\s+/).slice(1).join(' ');
}

function checkSentinelProfile(compose) {
  const inProfile = Object.entries(compose.services).filter(([, service]) =>
    (service.profiles ?? []).includes('sentinel'),
  );
  const app = inProfile.find(([, service]) => service.environment?.REDIS_SENTINELS)?.[1];
  if (!app) return problem('docker-compose.yml', 'the sentinel profile runs no app on Sentinels');
  for (const key of Object.keys(app.environment))
    if (!documented.has(key))
      problem('docker-compose.yml', `${key} is not a variable of the service`);
  const sentinels = new Set(
    inProfile.filter(([, s]) => /--sentinel/.test(String(s.command))).map(([name]) => name),
  );
  const config = compose.configs?.sentinel?.content ?? '';
  for (const address of app.environment.REDIS_SENTINELS.split(',')) {
    const [host, port] = address.split(':');
    if (!sentinels.has(host) || !config.includes(`port ${port}`))
      problem('docker-compose.yml', `REDIS_SENTINELS names ${address}, no Sentinel of the profile`);
  }
  const master = /^sentinel monitor (\S+) /m.exec(config)?.[1];
  if (app.environment.REDIS_SENTINEL_MASTER !== master)
    problem('docker-compose.yml', `REDIS_SENTINEL_MASTER is not the master the Sentinels monitor`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const user = app.environment.REDIS_USERNAME;
  const granted = aclRules(compose.configs?.['redis-acl']?.content ?? '', `user ${user} on`);
  if (!granted || granted !== aclRules(readme, `ACL SETUSER ${user} on`))
    problem('docker-compose.yml', `the ACL file grants ${user} other rules than the README`);
}

function checkCompose() {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
  const port = compose['x-app']?.environment?.METRICS_PORT;
  const scrape = compose.configs?.prometheus?.content ?? '';
  for (const service of ['app', 'app2']) {
    if (!port || !scrape.includes(`${service}:${port}`))
      problem('docker-compose.yml', `Prometheus does not scrape ${service}:METRICS_PORT`);
  }
  const dev = parse(readFileSync(join(root, 'docker-compose.dev.yml'), 'utf8'));
  const published = Object.entries(dev.services).flatMap(([, service]) => service.ports ?? []);
  if (published.some((mapping) => !String(mapping).startsWith('127.0.0.1:'))) {
    problem('docker-compose.dev.yml', 'publishes a port beyond localhost');
  }
  if (Object.keys(dev.services).sort().join() !== 'postgres,redis') {
    problem('docker-compose.dev.yml', 'must publish PostgreSQL and Redis only');
  }
  checkSentinelProfile(compose);
}

async function main() {
  const objects = loadObjects();
  const kustomization = objects.find(({ object }) => object.kind === 'Kustomization');
  const manifests = objects.filter(({ object }) => object.kind !== 'Kustomization');
  await Promise.all(manifests.map(validateSchema));
  if (kustomization) checkKustomization(manifests, kustomization.object);
  else problem('deploy/kubernetes', 'no kustomization.yaml');
  const byKind = Object.fromEntries(manifests.map(({ object }) => [object.kind, object]));
  for (const kind of [
    'ConfigMap',
    'Deployment',
    'Service',
    'HorizontalPodAutoscaler',
    'PodDisruptionBudget',
    'Secret',
  ]) {
    if (!byKind[kind]) problem('deploy/kubernetes', `no ${kind}`);
  }
  if (problems.length === 0) checkDeployment(byKind);
  checkSettings(manifests);
  for (const overlay of OVERLAYS) {
    const patched = applyOverlay(overlay, manifests);
    if (!patched) continue;
    await Promise.all(patched.map(validateSchema));
    const patchedByKind = Object.fromEntries(patched.map(({ object }) => [object.kind, object]));
    if (problems.length === 0) checkDeployment(patchedByKind);
    checkSettings(patched);
    checkCaFile(`deploy/${overlay}`, patchedByKind);
  }
  checkCompose();

  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    process.exit(1);
  }
  console.log(
    `deploy: ${manifests.length} Kubernetes manifests valid, as patched by ${OVERLAYS.join(', ')} too; ` +
      'Compose scrapes METRICS_PORT and its Sentinel profile hangs together',
  );
}

void main();
