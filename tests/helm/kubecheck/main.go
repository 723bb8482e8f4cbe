// kubecheck: strict offline checks of the manifests `helm template helm/mirror` renders.
//
// Reads the multi-document YAML on stdin and decodes every document into its k8s.io/api type
// (chosen by apiVersion and kind) with sigs.k8s.io/yaml.UnmarshalStrict, so an unknown field, a
// duplicate key or a wrong type is an error. A kind the chart is not expected to render is an
// error too. Then it checks the chart's policy (see check* below) and prints every problem at
// once; exit 0 when there is none, 1 otherwise, 2 on usage errors.
//
//	helm template ... | kubecheck [flags]
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// ConfigKey is the ConfigMap key holding the service's config file; ConfigDir is where the pod
// mounts it; ConfigPath is what `mirror run --config` reads.
const (
	ConfigKey  = "mirror.yaml"
	ConfigDir  = "/etc/mirror"
	ConfigPath = ConfigDir + "/" + ConfigKey
	BinaryPath = "/usr/local/bin/mirror"
	ZoneKey    = "topology.kubernetes.io/zone"
	HostKey    = "kubernetes.io/hostname"
	ChecksumAn = "checksum/config"
)

// ServiceMonitor (monitoring.coreos.com/v1): the fields the chart may render. Strict decoding
// into this struct rejects anything else, which is as far as a structural check without the
// prometheus-operator module goes.
type ServiceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		JobLabel          string               `json:"jobLabel,omitempty"`
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector *struct {
			Any        bool     `json:"any,omitempty"`
			MatchNames []string `json:"matchNames,omitempty"`
		} `json:"namespaceSelector,omitempty"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path,omitempty"`
			Scheme        string `json:"scheme,omitempty"`
			Interval      string `json:"interval,omitempty"`
			ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
			HonorLabels   bool   `json:"honorLabels,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type options struct {
	expectStatic         bool
	expectClusterRole    bool
	expectServiceMonitor bool
	expectPrometheusRule bool
	expectDashboard      bool
	dashboardLabel       string
	ruleSelector         string
	metricsDoc           string
	rulesOut             string
	expectReplicas       int
	expectAZ             string
	expectFlows          int
	forbid               stringList
	configOut            string
	envOut               string
	filesRoot            string
}

type manifests struct {
	deployments     []*appsv1.Deployment
	statefulSets    []*appsv1.StatefulSet
	services        []*corev1.Service
	configMaps      []*corev1.ConfigMap
	serviceAccounts []*corev1.ServiceAccount
	clusterRoles    []*rbacv1.ClusterRole
	clusterBindings []*rbacv1.ClusterRoleBinding
	pdbs            []*policyv1.PodDisruptionBudget
	serviceMonitors []*ServiceMonitor
	prometheusRules []*PrometheusRule
	metas           []metaOf // every object, for the label checks
}

type metaOf struct {
	kind string
	meta *metav1.ObjectMeta
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func main() {
	var o options
	flag.BoolVar(&o.expectStatic, "expect-static", false,
		"static membership: a StatefulSet (not a Deployment) whose pods pass their name as --instance-id")
	flag.BoolVar(&o.expectClusterRole, "expect-cluster-role", false,
		"a ClusterRole (get on nodes) and its binding must be rendered; without this flag none may be")
	flag.BoolVar(&o.expectServiceMonitor, "expect-service-monitor", false,
		"a ServiceMonitor must be rendered; without this flag none may be")
	flag.BoolVar(&o.expectPrometheusRule, "expect-prometheus-rule", false,
		"a PrometheusRule with the chart's alerts must be rendered; without this flag none may be")
	flag.BoolVar(&o.expectDashboard, "expect-dashboard", false,
		"a Grafana dashboard ConfigMap must be rendered; without this flag none may be")
	flag.StringVar(&o.dashboardLabel, "dashboard-label", "", "KEY=VALUE the dashboard ConfigMap must carry")
	flag.StringVar(&o.ruleSelector, "rule-selector", "", "label matchers every alert expression must contain; auto: the rendered Service's namespace and name")
	flag.StringVar(&o.metricsDoc, "metrics-doc", "", "docs/metrics.md: every mirror_* name queried must be in its table")
	flag.StringVar(&o.rulesOut, "rules-out", "", "write the alerts and the dashboard's queries here as a Prometheus rules file")
	flag.IntVar(&o.expectReplicas, "expect-replicas", 0, "the Deployment's replicas (0: not checked)")
	flag.StringVar(&o.expectAZ, "expect-az", "", "node.availability_zone in the config file (empty: not checked)")
	flag.IntVar(&o.expectFlows, "expect-flows", -1, "number of flows in the config file (-1: not checked)")
	flag.Var(&o.forbid, "forbid", "a string that must not appear in any ConfigMap or literal env value (repeatable)")
	flag.StringVar(&o.configOut, "config-out", "", "write the ConfigMap's config file here")
	flag.StringVar(&o.envOut, "env-out", "", "write NAME=placeholder lines for the env vars the container gets from Secrets")
	flag.StringVar(&o.filesRoot, "files-root", "", "write a placeholder under this folder for every ${file:PATH} of the config "+
		"(each must lie in a mounted Secret) and point the --config-out copy's references at them")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: helm template ... | kubecheck [flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	m, errs := decodeAll(os.Stdin)
	var p problems
	p = append(p, errs...)
	if len(errs) == 0 {
		check(m, &o, &p)
	}
	if len(p) > 0 {
		for _, s := range p {
			fmt.Fprintf(os.Stderr, "kubecheck: %s\n", s)
		}
		fmt.Fprintf(os.Stderr, "kubecheck: %d problem(s)\n", len(p))
		os.Exit(1)
	}
	fmt.Printf("kubecheck: ok: %s\n", summary(m))
}

func summary(m *manifests) string {
	counts := map[string]int{}
	for _, x := range m.metas {
		counts[x.kind]++
	}
	var kinds []string
	for k, n := range counts {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	return strings.Join(kinds, " ")
}

// decodeAll splits the stream into documents and decodes each strictly into its type.
func decodeAll(r io.Reader) (*manifests, problems) {
	m := &manifests{}
	var p problems
	reader := k8syaml.NewYAMLReader(bufio.NewReader(r))
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.add("document %d: %v", n, err)
			break
		}
		if isEmptyDoc(doc) {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			p.add("document %d: not a Kubernetes object: %v", n, err)
			continue
		}
		where := fmt.Sprintf("document %d (%s %s)", n, tm.APIVersion, tm.Kind)
		var target any
		var meta *metav1.ObjectMeta
		switch tm.APIVersion + " " + tm.Kind {
		case "apps/v1 Deployment":
			x := &appsv1.Deployment{}
			m.deployments, target, meta = append(m.deployments, x), x, &x.ObjectMeta
		case "apps/v1 StatefulSet":
			x := &appsv1.StatefulSet{}
			m.statefulSets, target, meta = append(m.statefulSets, x), x, &x.ObjectMeta
		case "v1 Service":
			x := &corev1.Service{}
			m.services, target, meta = append(m.services, x), x, &x.ObjectMeta
		case "v1 ConfigMap":
			x := &corev1.ConfigMap{}
			m.configMaps, target, meta = append(m.configMaps, x), x, &x.ObjectMeta
		case "v1 ServiceAccount":
			x := &corev1.ServiceAccount{}
			m.serviceAccounts, target, meta = append(m.serviceAccounts, x), x, &x.ObjectMeta
		case "rbac.authorization.k8s.io/v1 ClusterRole":
			x := &rbacv1.ClusterRole{}
			m.clusterRoles, target, meta = append(m.clusterRoles, x), x, &x.ObjectMeta
		case "rbac.authorization.k8s.io/v1 ClusterRoleBinding":
			x := &rbacv1.ClusterRoleBinding{}
			m.clusterBindings, target, meta = append(m.clusterBindings, x), x, &x.ObjectMeta
		case "policy/v1 PodDisruptionBudget":
			x := &policyv1.PodDisruptionBudget{}
			m.pdbs, target, meta = append(m.pdbs, x), x, &x.ObjectMeta
		case "monitoring.coreos.com/v1 ServiceMonitor":
			x := &ServiceMonitor{}
			m.serviceMonitors, target, meta = append(m.serviceMonitors, x), x, &x.ObjectMeta
		case "monitoring.coreos.com/v1 PrometheusRule":
			x := &PrometheusRule{}
			m.prometheusRules, target, meta = append(m.prometheusRules, x), x, &x.ObjectMeta
		default:
			p.add("%s: a kind this chart is not expected to render", where)
			continue
		}
		if err := yaml.UnmarshalStrict(doc, target); err != nil {
			p.add("%s: %v", where, err)
			continue
		}
		m.metas = append(m.metas, metaOf{kind: tm.Kind, meta: meta})
	}
	return m, p
}

func isEmptyDoc(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' && string(t) != "---" {
			return false
		}
	}
	return true
}

func check(m *manifests, o *options, p *problems) {
	checkLabels(m, p)
	exactlyOne := func(kind string, n int) bool {
		if n != 1 {
			p.add("want exactly one %s, got %d", kind, n)
			return false
		}
		return true
	}
	// The workload: a Deployment, or with static membership a StatefulSet, whose pod template and
	// replicas get the same checks (through a Deployment of the same template).
	want, other, nWant, nOther := "Deployment", "StatefulSet", len(m.deployments), len(m.statefulSets)
	if o.expectStatic {
		want, other, nWant, nOther = other, want, nOther, nWant
	}
	okDep := exactlyOne(want, nWant)
	if nOther > 0 {
		p.add("a %s is rendered, but the workload must be a %s", other, want)
		okDep = false
	}
	// The config file's ConfigMap; a dashboard's (monitoring.go) is checked apart.
	var configMaps []*corev1.ConfigMap
	for _, cm := range m.configMaps {
		if !isDashboard(cm) {
			configMaps = append(configMaps, cm)
		}
	}
	checkMonitoring(m, o, p)
	okCM := exactlyOne("ConfigMap", len(configMaps))
	okSvc := exactlyOne("Service", len(m.services))
	if len(m.serviceAccounts) > 1 {
		p.add("want at most one ServiceAccount, got %d", len(m.serviceAccounts))
		return
	}
	if !(okDep && okCM && okSvc) {
		return
	}
	var dep *appsv1.Deployment
	if o.expectStatic {
		ss := m.statefulSets[0]
		dep = &appsv1.Deployment{ObjectMeta: ss.ObjectMeta, Spec: appsv1.DeploymentSpec{
			Replicas: ss.Spec.Replicas, Selector: ss.Spec.Selector, Template: ss.Spec.Template}}
		checkStatefulSet(ss, m.services[0], p)
	} else {
		dep = m.deployments[0]
	}
	cm, svc := configMaps[0], m.services[0]
	// No ServiceAccount rendered (serviceAccount.create: false): the pod names an existing one,
	// whose settings are unknown here, so the pod must say whether it mounts the token.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: dep.Spec.Template.Spec.ServiceAccountName,
		Namespace: dep.Namespace}}
	if len(m.serviceAccounts) == 1 {
		sa = m.serviceAccounts[0]
	} else if sa.Name == "" || sa.Name == "default" {
		p.add("no ServiceAccount rendered and the pod names none of its own (%q)", sa.Name)
	} else if dep.Spec.Template.Spec.AutomountServiceAccountToken == nil {
		p.add("no ServiceAccount rendered: the pod must set automountServiceAccountToken itself")
	}

	cfg := checkConfigMap(cm, o, p)
	port := checkDeployment(dep, cm, sa, cfg, o, p)
	checkService(svc, dep, port, p)
	checkRBAC(m, dep, sa, o, p)
	checkReplicas(m, dep, o, p)
	checkServiceMonitor(m, svc, o, p)
}

func checkLabels(m *manifests, p *problems) {
	for _, x := range m.metas {
		if x.meta.Name == "" {
			p.add("%s without metadata.name", x.kind)
		}
		for _, k := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance",
			"app.kubernetes.io/managed-by", "app.kubernetes.io/version", "helm.sh/chart"} {
			if x.meta.Labels[k] == "" {
				p.add("%s %s: label %s missing", x.kind, x.meta.Name, k)
			}
		}
	}
}

// config is the part of the service's config file the checks read.
type config struct {
	raw   string
	tree  map[string]any
	port  int
	flows int
	envs  []string // names referenced as ${env:NAME}
	files []string // paths referenced as ${file:PATH}
	// File-path librdkafka properties (ssl.ca.location, ...): where -> path.
	locations map[string]string
}

var (
	envRef       = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)
	fileRef      = regexp.MustCompile(`\$\{file:([^}]+)\}`)
	secretKey    = regexp.MustCompile(`(?i)(password|secret|ssl\.key\.pem|sasl\.jaas\.config)`)
	resolvedRef  = regexp.MustCompile(`^\$\{(env|file):[^}]+\}$`)
	topLevelKeys = []string{"clusters", "flows", "http", "log", "memory", "node"}
)

func checkConfigMap(cm *corev1.ConfigMap, o *options, p *problems) *config {
	for k, v := range cm.Data {
		for _, f := range o.forbid {
			if f != "" && strings.Contains(v, f) {
				p.add("ConfigMap %s key %s holds a forbidden string (a secret?)", cm.Name, k)
			}
		}
	}
	if len(cm.BinaryData) > 0 {
		p.add("ConfigMap %s: unexpected binaryData", cm.Name)
	}
	raw, ok := cm.Data[ConfigKey]
	if !ok {
		p.add("ConfigMap %s has no key %s", cm.Name, ConfigKey)
		return nil
	}
	if len(cm.Data) != 1 {
		p.add("ConfigMap %s: want only the key %s, got %d keys", cm.Name, ConfigKey, len(cm.Data))
	}
	c := &config{raw: raw}
	// The config file itself, strictly: duplicate keys are errors.
	if err := yaml.UnmarshalStrict([]byte(raw), &c.tree); err != nil {
		p.add("ConfigMap %s: %s is not valid YAML: %v", cm.Name, ConfigKey, err)
		return nil
	}
	var keys []string
	for k := range c.tree {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != strings.Join(topLevelKeys, ",") {
		p.add("config file: top-level keys %v, want exactly %v", keys, topLevelKeys)
	}
	node, _ := c.tree["node"].(map[string]any)
	az, _ := node["availability_zone"].(string)
	if az == "" {
		p.add("config file: node.availability_zone missing or empty")
	}
	if o.expectAZ != "" && az != o.expectAZ {
		p.add("config file: node.availability_zone is %q, want %q", az, o.expectAZ)
	}
	if srcs, ok := node["availability_zone_sources"].([]any); !ok || len(srcs) == 0 {
		p.add("config file: node.availability_zone_sources missing or empty")
	}
	httpSec, _ := c.tree["http"].(map[string]any)
	listen, _ := httpSec["listen"].(string)
	host, portText, found := strings.Cut(listen, ":")
	port, err := strconv.Atoi(portText)
	if !found || host != "0.0.0.0" || err != nil || port <= 0 || port > 65535 {
		p.add("config file: http.listen is %q, want 0.0.0.0:<port>", listen)
	}
	c.port = port
	flows, _ := c.tree["flows"].([]any)
	c.flows = len(flows)
	if o.expectFlows >= 0 && c.flows != o.expectFlows {
		p.add("config file: %d flows, want %d", c.flows, o.expectFlows)
	}
	// Secret-looking librdkafka properties must be references that the pod resolves, never values.
	clusters, _ := c.tree["clusters"].(map[string]any)
	for name, v := range clusters {
		cl, _ := v.(map[string]any)
		props, _ := cl["properties"].(map[string]any)
		checkSecretProps(fmt.Sprintf("clusters.%s.properties", name), props, p)
		c.addLocations(fmt.Sprintf("clusters.%s.properties", name), props)
	}
	for i, v := range flows {
		f, _ := v.(map[string]any)
		for _, k := range []string{"consumer", "producer"} {
			props, _ := f[k].(map[string]any)
			checkSecretProps(fmt.Sprintf("flows[%d].%s", i, k), props, p)
			c.addLocations(fmt.Sprintf("flows[%d].%s", i, k), props)
		}
	}
	seen := map[string]bool{}
	for _, mm := range envRef.FindAllStringSubmatch(raw, -1) {
		if !seen[mm[1]] {
			seen[mm[1]] = true
			c.envs = append(c.envs, mm[1])
		}
	}
	for _, mm := range fileRef.FindAllStringSubmatch(raw, -1) {
		if !seen["file:"+mm[1]] {
			seen["file:"+mm[1]] = true
			c.files = append(c.files, mm[1])
		}
	}
	if o.configOut != "" {
		if err := os.WriteFile(o.configOut, []byte(raw), 0o644); err != nil {
			p.add("writing %s: %v", o.configOut, err)
		}
	}
	return c
}

func checkSecretProps(where string, props map[string]any, p *problems) {
	for k, v := range props {
		if !secretKey.MatchString(k) {
			continue
		}
		s, _ := v.(string)
		if !resolvedRef.MatchString(s) {
			p.add("config file: %s.%s holds a literal value; use ${env:NAME} with secretEnv (or ${file:PATH})", where, k)
		}
	}
}

// checkStatefulSet: what static membership needs beyond the pod checks. Each pod passes its own
// name (stable across restarts, unique in the set) as `--instance-id`; the set names the chart's
// Service; pods start in parallel (no order is needed).
func checkStatefulSet(ss *appsv1.StatefulSet, svc *corev1.Service, p *problems) {
	d := "StatefulSet " + ss.Name
	if ss.Spec.ServiceName != svc.Name {
		p.add("%s: serviceName %q, want the chart's Service %q", d, ss.Spec.ServiceName, svc.Name)
	}
	if ss.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
		p.add("%s: podManagementPolicy %q, want Parallel", d, ss.Spec.PodManagementPolicy)
	}
	if len(ss.Spec.VolumeClaimTemplates) > 0 {
		p.add("%s: volumeClaimTemplates: mirror keeps no state on disk", d)
	}
	if len(ss.Spec.Template.Spec.Containers) != 1 {
		return
	}
	c := ss.Spec.Template.Spec.Containers[0]
	found := false
	for i := 0; i+1 < len(c.Args); i++ {
		found = found || (c.Args[i] == "--instance-id" && c.Args[i+1] == "$(POD_NAME)")
	}
	if !found {
		p.add("%s: args %v lack --instance-id $(POD_NAME)", d, c.Args)
	}
	pod := false
	for _, e := range c.Env {
		pod = pod || (e.Name == "POD_NAME" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
			e.ValueFrom.FieldRef.FieldPath == "metadata.name")
	}
	if !pod {
		p.add("%s: env POD_NAME must come from fieldRef metadata.name", d)
	}
	for _, tsc := range ss.Spec.Template.Spec.TopologySpreadConstraints {
		for _, k := range tsc.MatchLabelKeys {
			if k == "pod-template-hash" {
				p.add("%s: matchLabelKeys pod-template-hash: StatefulSet pods carry controller-revision-hash", d)
			}
		}
	}
}

// checkDeployment returns the container's metrics port number (0 if unknown).
func checkDeployment(dep *appsv1.Deployment, cm *corev1.ConfigMap, sa *corev1.ServiceAccount, cfg *config,
	o *options, p *problems) int {
	d := "Deployment " + dep.Name
	spec := &dep.Spec.Template.Spec
	podLabels := dep.Spec.Template.Labels
	if dep.Spec.Selector == nil {
		p.add("%s: no selector", d)
	} else if sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector); err != nil {
		p.add("%s: bad selector: %v", d, err)
	} else if sel.Empty() || !sel.Matches(labels.Set(podLabels)) {
		p.add("%s: selector %v does not match the pod labels %v", d, dep.Spec.Selector.MatchLabels, podLabels)
	}
	if o.expectReplicas > 0 && (dep.Spec.Replicas == nil || int(*dep.Spec.Replicas) != o.expectReplicas) {
		p.add("%s: replicas %v, want %d", d, ptrInt(dep.Spec.Replicas), o.expectReplicas)
	}

	// When the pods roll on a config change (rollOnConfigChange), the annotation is the config
	// file's hash; without it the pods reload the mounted file themselves.
	if got, rolls := dep.Spec.Template.Annotations[ChecksumAn]; cfg != nil && rolls {
		sum := sha256.Sum256([]byte(cfg.raw))
		if got != hex.EncodeToString(sum[:]) {
			p.add("%s: pod annotation %s is %q, want the sha256 of the config file", d, ChecksumAn, got)
		}
	}

	// Pod security.
	psc := spec.SecurityContext
	if psc == nil {
		p.add("%s: no pod securityContext", d)
		psc = &corev1.PodSecurityContext{}
	}
	if psc.RunAsUser != nil && *psc.RunAsUser == 0 {
		p.add("%s: pod runAsUser 0", d)
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		p.add("%s: pod seccompProfile is not RuntimeDefault", d)
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		p.add("%s: uses host namespaces", d)
	}
	if spec.ServiceAccountName != sa.Name {
		p.add("%s: serviceAccountName %q, want %q", d, spec.ServiceAccountName, sa.Name)
	}

	// The config volume: the chart's ConfigMap, mounted read-only at ConfigDir.
	cmVolume := ""
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
			cmVolume = v.Name
		}
		if v.HostPath != nil {
			p.add("%s: hostPath volume %s", d, v.Name)
		}
	}
	if cmVolume == "" {
		p.add("%s: no volume from ConfigMap %s", d, cm.Name)
	}

	if len(spec.Containers) != 1 {
		p.add("%s: want one container, got %d", d, len(spec.Containers))
		return 0
	}
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for i := range all {
		checkContainerSecurity(d, &all[i], psc, p)
	}
	c := &spec.Containers[0]
	if c.Image == "" || strings.HasSuffix(c.Image, ":") {
		p.add("%s: image %q has no tag", d, c.Image)
	}
	if strings.Join(c.Command, " ") != BinaryPath {
		p.add("%s: command %v, want [%s]", d, c.Command, BinaryPath)
	}
	if len(c.Args) < 3 || c.Args[0] != "run" || c.Args[1] != "--config" || c.Args[2] != ConfigPath {
		p.add("%s: args %v, want run --config %s ...", d, c.Args, ConfigPath)
	}
	mounted := false
	for _, vm := range c.VolumeMounts {
		if vm.Name == cmVolume && vm.MountPath == ConfigDir && vm.SubPath == "" {
			mounted = true
			if !vm.ReadOnly {
				p.add("%s: config volume mounted writable", d)
			}
		}
	}
	if !mounted {
		p.add("%s: ConfigMap volume not mounted at %s (without subPath, so updates reach the pod)", d, ConfigDir)
	}
	checkSecretFiles(d, spec, c, cfg, o, p)

	// Environment: NODE_NAME from the downward API; secrets only through secretKeyRef.
	envs := map[string]corev1.EnvVar{}
	var secretEnvs []string
	for _, e := range c.Env {
		if _, dup := envs[e.Name]; dup {
			p.add("%s: env %s set twice", d, e.Name)
		}
		envs[e.Name] = e
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			secretEnvs = append(secretEnvs, e.Name)
			if e.ValueFrom.SecretKeyRef.Name == "" || e.ValueFrom.SecretKeyRef.Key == "" {
				p.add("%s: env %s: secretKeyRef without name or key", d, e.Name)
			}
		}
		for _, f := range o.forbid {
			if f != "" && strings.Contains(e.Value, f) {
				p.add("%s: env %s holds a forbidden string in its literal value", d, e.Name)
			}
		}
	}
	if e, ok := envs["NODE_NAME"]; !ok || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
		e.ValueFrom.FieldRef.FieldPath != "spec.nodeName" {
		p.add("%s: env NODE_NAME must come from fieldRef spec.nodeName", d)
	}
	if cfg != nil {
		for _, name := range cfg.envs {
			if _, ok := envs[name]; !ok && len(c.EnvFrom) == 0 { // envFrom may provide it
				p.add("%s: the config file references ${env:%s}, but the container has no such env var", d, name)
			}
		}
	}
	if o.envOut != "" {
		var b strings.Builder
		for _, n := range secretEnvs {
			fmt.Fprintf(&b, "%s=placeholder-for-%s\n", n, strings.ToLower(n))
		}
		if err := os.WriteFile(o.envOut, []byte(b.String()), 0o644); err != nil {
			p.add("writing %s: %v", o.envOut, err)
		}
	}

	// The metrics port and the probes on it.
	port := 0
	if cfg != nil {
		port = cfg.port
	}
	found := false
	for _, cp := range c.Ports {
		if int(cp.ContainerPort) == port && cp.Protocol != corev1.ProtocolUDP {
			found = true
		}
	}
	if !found {
		p.add("%s: no container port %d (http.listen of the config file)", d, port)
	}
	checkProbe(d, "livenessProbe", c.LivenessProbe, "/healthz", c, port, p)
	checkProbe(d, "readinessProbe", c.ReadinessProbe, "/readyz", c, port, p)
	return port
}

func ptrInt(x *int32) any {
	if x == nil {
		return nil
	}
	return *x
}

func checkContainerSecurity(d string, c *corev1.Container, psc *corev1.PodSecurityContext, p *problems) {
	w := fmt.Sprintf("%s container %s", d, c.Name)
	sc := c.SecurityContext
	if sc == nil {
		p.add("%s: no securityContext", w)
		return
	}
	nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) ||
		(sc.RunAsNonRoot == nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot)
	if !nonRoot {
		p.add("%s: runAsNonRoot is not true", w)
	}
	uid := sc.RunAsUser
	if uid == nil {
		uid = psc.RunAsUser
	}
	if uid == nil || *uid == 0 {
		p.add("%s: no fixed non-zero runAsUser", w)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p.add("%s: readOnlyRootFilesystem is not true", w)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		p.add("%s: allowPrivilegeEscalation is not false", w)
	}
	if sc.Privileged != nil && *sc.Privileged {
		p.add("%s: privileged", w)
	}
	dropAll := false
	if sc.Capabilities != nil {
		for _, cap := range sc.Capabilities.Drop {
			if cap == "ALL" {
				dropAll = true
			}
		}
		if len(sc.Capabilities.Add) > 0 {
			p.add("%s: adds capabilities %v", w, sc.Capabilities.Add)
		}
	}
	if !dropAll {
		p.add("%s: capabilities do not drop ALL", w)
	}
	if sc.SeccompProfile != nil && sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		p.add("%s: seccompProfile %s", w, sc.SeccompProfile.Type)
	}
}

func checkProbe(d, what string, pr *corev1.Probe, path string, c *corev1.Container, port int, p *problems) {
	if pr == nil || pr.HTTPGet == nil {
		p.add("%s: no HTTP %s", d, what)
		return
	}
	if pr.HTTPGet.Path != path {
		p.add("%s: %s path %q, want %q", d, what, pr.HTTPGet.Path, path)
	}
	if got := resolvePort(pr.HTTPGet.Port, c); got != port {
		p.add("%s: %s port %s resolves to %d, want %d", d, what, pr.HTTPGet.Port.String(), got, port)
	}
}

func resolvePort(v intstr.IntOrString, c *corev1.Container) int {
	if v.Type == intstr.Int {
		return int(v.IntVal)
	}
	for _, cp := range c.Ports {
		if cp.Name == v.StrVal {
			return int(cp.ContainerPort)
		}
	}
	return -1
}

func checkService(svc *corev1.Service, dep *appsv1.Deployment, port int, p *problems) {
	s := "Service " + svc.Name
	if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(dep.Spec.Template.Labels)) {
		p.add("%s: selector %v does not select the pods", s, svc.Spec.Selector)
	}
	if len(dep.Spec.Template.Spec.Containers) == 0 {
		return
	}
	c := &dep.Spec.Template.Spec.Containers[0]
	found := false
	for _, sp := range svc.Spec.Ports {
		target := sp.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(sp.Port)
		}
		if resolvePort(target, c) == port && sp.Name != "" {
			found = true
		}
	}
	if !found {
		p.add("%s: no named port that reaches the container's metrics port %d", s, port)
	}
}

func checkRBAC(m *manifests, dep *appsv1.Deployment, sa *corev1.ServiceAccount, o *options, p *problems) {
	spec := &dep.Spec.Template.Spec
	automount := true
	if sa.AutomountServiceAccountToken != nil {
		automount = *sa.AutomountServiceAccountToken
	}
	if spec.AutomountServiceAccountToken != nil {
		automount = *spec.AutomountServiceAccountToken
	}
	if !o.expectClusterRole {
		if len(m.clusterRoles) > 0 || len(m.clusterBindings) > 0 {
			p.add("a ClusterRole or ClusterRoleBinding is rendered, but none is expected (kubernetes is not an AZ source to query)")
		}
		if automount {
			p.add("the pod mounts a service-account token, but it needs no API access")
		}
		return
	}
	if !automount {
		p.add("the kubernetes AZ source needs the service-account token, but it is not mounted")
	}
	if len(m.clusterRoles) != 1 || len(m.clusterBindings) != 1 {
		p.add("want one ClusterRole and one ClusterRoleBinding, got %d and %d", len(m.clusterRoles), len(m.clusterBindings))
		return
	}
	cr, crb := m.clusterRoles[0], m.clusterBindings[0]
	if cr.AggregationRule != nil {
		p.add("ClusterRole %s: aggregationRule", cr.Name)
	}
	want := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get"}}
	if len(cr.Rules) != 1 || !equalRule(cr.Rules[0], want) {
		p.add("ClusterRole %s: rules %+v, want exactly get on nodes", cr.Name, cr.Rules)
	}
	if crb.RoleRef.APIGroup != "rbac.authorization.k8s.io" || crb.RoleRef.Kind != "ClusterRole" || crb.RoleRef.Name != cr.Name {
		p.add("ClusterRoleBinding %s: roleRef %+v does not name ClusterRole %s", crb.Name, crb.RoleRef, cr.Name)
	}
	if len(crb.Subjects) != 1 || crb.Subjects[0].Kind != "ServiceAccount" || crb.Subjects[0].Name != sa.Name ||
		crb.Subjects[0].Namespace == "" || crb.Subjects[0].Namespace != sa.Namespace {
		p.add("ClusterRoleBinding %s: subjects %+v, want only ServiceAccount %s/%s", crb.Name, crb.Subjects, sa.Namespace, sa.Name)
	}
}

func equalRule(a, b rbacv1.PolicyRule) bool {
	eq := func(x, y []string) bool {
		return strings.Join(x, "\x00") == strings.Join(y, "\x00") && len(x) == len(y)
	}
	return eq(a.APIGroups, b.APIGroups) && eq(a.Resources, b.Resources) && eq(a.Verbs, b.Verbs) &&
		len(a.ResourceNames) == 0 && len(a.NonResourceURLs) == 0
}

func checkReplicas(m *manifests, dep *appsv1.Deployment, _ *options, p *problems) {
	d := "Deployment " + dep.Name
	replicas := int32(1)
	if dep.Spec.Replicas != nil {
		replicas = *dep.Spec.Replicas
	}
	podLabels := labels.Set(dep.Spec.Template.Labels)
	if replicas <= 1 {
		if len(m.pdbs) > 0 {
			p.add("a PodDisruptionBudget with a single replica blocks node drains")
		}
		return
	}
	keys := map[string]bool{}
	for _, tsc := range dep.Spec.Template.Spec.TopologySpreadConstraints {
		sel, err := metav1.LabelSelectorAsSelector(tsc.LabelSelector)
		if err != nil || sel.Empty() || !sel.Matches(podLabels) {
			p.add("%s: topologySpreadConstraint on %s does not select its own pods", d, tsc.TopologyKey)
			continue
		}
		keys[tsc.TopologyKey] = true
	}
	for _, k := range []string{ZoneKey, HostKey} {
		if !keys[k] {
			p.add("%s: %d replicas but no topologySpreadConstraint on %s", d, replicas, k)
		}
	}
	if len(m.pdbs) != 1 {
		p.add("%d replicas: want one PodDisruptionBudget, got %d", replicas, len(m.pdbs))
		return
	}
	pdb := m.pdbs[0]
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(podLabels) {
		p.add("PodDisruptionBudget %s does not select the pods", pdb.Name)
	}
	if (pdb.Spec.MinAvailable == nil) == (pdb.Spec.MaxUnavailable == nil) {
		p.add("PodDisruptionBudget %s: want exactly one of minAvailable and maxUnavailable", pdb.Name)
	}
	if pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int && pdb.Spec.MinAvailable.IntVal >= replicas {
		p.add("PodDisruptionBudget %s: minAvailable %d >= replicas %d blocks every eviction", pdb.Name, pdb.Spec.MinAvailable.IntVal, replicas)
	}
}

func checkServiceMonitor(m *manifests, svc *corev1.Service, o *options, p *problems) {
	if !o.expectServiceMonitor {
		if len(m.serviceMonitors) > 0 {
			p.add("a ServiceMonitor is rendered, but none is expected")
		}
		return
	}
	if len(m.serviceMonitors) != 1 {
		p.add("want one ServiceMonitor, got %d", len(m.serviceMonitors))
		return
	}
	sm := m.serviceMonitors[0]
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(svc.Labels)) {
		p.add("ServiceMonitor %s does not select Service %s", sm.Name, svc.Name)
	}
	if len(sm.Spec.Endpoints) != 1 {
		p.add("ServiceMonitor %s: want one endpoint, got %d", sm.Name, len(sm.Spec.Endpoints))
		return
	}
	ep := sm.Spec.Endpoints[0]
	if ep.Path != "/metrics" {
		p.add("ServiceMonitor %s: path %q, want /metrics", sm.Name, ep.Path)
	}
	named := false
	for _, sp := range svc.Spec.Ports {
		named = named || sp.Name == ep.Port
	}
	if !named {
		p.add("ServiceMonitor %s: port %q is not a port name of Service %s", sm.Name, ep.Port, svc.Name)
	}
}

// addLocations notes the file-path properties (names ending in ".location") of one property map.
func (c *config) addLocations(where string, props map[string]any) {
	for k, v := range props {
		if path, ok := v.(string); ok && strings.HasSuffix(k, ".location") && strings.HasPrefix(path, "/") {
			if c.locations == nil {
				c.locations = map[string]string{}
			}
			c.locations[where+"."+k] = path
		}
	}
}

// under says whether path is dir or lies inside it.
func under(path, dir string) bool {
	dir = strings.TrimSuffix(dir, "/")
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// checkSecretFiles: Secret volumes are mounted read-only, whole (no subPath, so a rotated Secret
// reaches the pod), apart from the config folder and /tmp; every ${file:PATH} of the config lies
// in one of them (among its items when they are listed). With --files-root, a placeholder is
// written for each such file and the --config-out copy refers to the placeholders instead.
func checkSecretFiles(d string, spec *corev1.PodSpec, c *corev1.Container, cfg *config, o *options, p *problems) {
	secrets := map[string]*corev1.SecretVolumeSource{}
	for i := range spec.Volumes {
		if s := spec.Volumes[i].Secret; s != nil {
			secrets[spec.Volumes[i].Name] = s
		}
	}
	type mount struct {
		path   string
		secret *corev1.SecretVolumeSource
	}
	var mounts []mount
	for _, vm := range c.VolumeMounts {
		s, ok := secrets[vm.Name]
		if !ok {
			continue
		}
		if !vm.ReadOnly {
			p.add("%s: Secret volume %s mounted writable", d, vm.Name)
		}
		if vm.SubPath != "" || vm.SubPathExpr != "" {
			p.add("%s: Secret volume %s mounted with a subPath (a rotated Secret would not reach the pod)", d, vm.Name)
		}
		for _, reserved := range []string{ConfigDir, "/tmp"} {
			if under(vm.MountPath, reserved) || under(reserved, vm.MountPath) {
				p.add("%s: Secret volume %s mounted at %s, over or inside %s", d, vm.Name, vm.MountPath, reserved)
			}
		}
		if s.SecretName == "" {
			p.add("%s: Secret volume %s names no Secret", d, vm.Name)
		}
		if s.DefaultMode == nil || *s.DefaultMode&0o007 != 0 {
			p.add("%s: Secret volume %s: files readable by others (defaultMode %v)", d, vm.Name, ptrInt(s.DefaultMode))
		}
		mounts = append(mounts, mount{vm.MountPath, s})
	}
	for name := range secrets {
		found := false
		for _, vm := range c.VolumeMounts {
			found = found || vm.Name == name
		}
		if !found {
			p.add("%s: Secret volume %s is not mounted", d, name)
		}
	}
	if cfg == nil {
		return
	}
	// A file-path property pointing into a Secret mount must name a file it has.
	for where, path := range cfg.locations {
		for _, m := range mounts {
			if !under(path, m.path) || len(m.secret.Items) == 0 {
				continue
			}
			ok := false
			for _, it := range m.secret.Items {
				ok = ok || path == strings.TrimSuffix(m.path, "/")+"/"+it.Path
			}
			if !ok {
				p.add("%s: the config file's %s is %s, which Secret %s mounted at %s does not provide (not among its items)",
					d, where, path, m.secret.SecretName, m.path)
			}
		}
	}
	raw := cfg.raw
	for _, f := range cfg.files {
		ok := false
		for _, m := range mounts {
			if !under(f, m.path) || f == strings.TrimSuffix(m.path, "/") {
				continue
			}
			if len(m.secret.Items) == 0 {
				ok = true
			}
			for _, it := range m.secret.Items {
				ok = ok || f == strings.TrimSuffix(m.path, "/")+"/"+it.Path
			}
		}
		if !ok {
			p.add("%s: the config file references ${file:%s}, but no Secret volume provides that file", d, f)
			continue
		}
		if o.filesRoot != "" {
			local := o.filesRoot + f
			if err := os.MkdirAll(local[:strings.LastIndex(local, "/")], 0o755); err != nil {
				p.add("writing %s: %v", local, err)
				continue
			}
			if err := os.WriteFile(local, []byte("placeholder-for-"+f+"\n"), 0o600); err != nil {
				p.add("writing %s: %v", local, err)
			}
			raw = strings.ReplaceAll(raw, "${file:"+f+"}", "${file:"+local+"}")
		}
	}
	if o.filesRoot != "" && o.configOut != "" {
		if err := os.WriteFile(o.configOut, []byte(raw), 0o644); err != nil {
			p.add("writing %s: %v", o.configOut, err)
		}
	}
}
