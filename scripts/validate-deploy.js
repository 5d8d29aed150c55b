// Validates deploy/kubernetes offline: every object against the Kubernetes JSON schemas that
// kubernetes-models ships (compiled ajv validators, no cluster, no network), then the few things
// a schema cannot see: probes on the routes the service serves, a grace period that covers the
// drain, selectors that match the pods, settings the service knows. Also checks that Compose's
// Prometheus scrapes the port the instances serve metrics on. Exit code 1 on any problem.
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { parse, parseAllDocuments } = require('yaml');

const root = join(__dirname, '..');
const dir = join(root, 'deploy', 'kubernetes');
const SECRET_TEMPLATE = 'secret.example.yaml';
const REQUEST_TIMEOUT_MS = 30000;
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

const documented = new Set(
  [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map(
    (match) => match[1],
  ),
);

function loadObjects() {
  const objects = [];
  for (const file of readdirSync(dir).filter((name) => /\.ya?ml$/.test(name))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
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
  checkCompose();

  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    process.exit(1);
  }
  console.log(
    `deploy: ${manifests.length} Kubernetes manifests valid, Compose scrapes METRICS_PORT`,
  );
}

void main();
