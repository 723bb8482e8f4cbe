// The chart's monitoring objects: the PrometheusRule and the Grafana dashboard's ConfigMap
// (metrics.prometheusRule, metrics.grafanaDashboard). Structure is checked here; the PromQL of
// both is written to one Prometheus rules file (--rules-out) that tests/helm/check hands to
// `promtool check rules`, the dashboard's queries as recording rules with Grafana's variables
// replaced by values Prometheus accepts.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// PrometheusRule (monitoring.coreos.com/v1): the fields the chart may render.
type PrometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Groups []RuleGroup `json:"groups"`
	} `json:"spec"`
}

type RuleGroup struct {
	Name     string `json:"name"`
	Interval string `json:"interval,omitempty"`
	Rules    []Rule `json:"rules"`
}

type Rule struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// The parts of a Grafana dashboard the checks read; everything else passes through.
type dashboard struct {
	Title      string  `json:"title"`
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	GridPos *struct {
		X, Y, W, H int
	} `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

var (
	metricName  = regexp.MustCompile(`\bmirror_[a-z0-9_]+`)
	durationRe  = regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+$`)
	alertNameRe = regexp.MustCompile(`^[A-Z][A-Za-z0-9]+$`)
	// Grafana's variables in the dashboard's queries, and what stands for them in the rules file.
	grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$namespace", ".*", "$flow", ".*")
	severities  = map[string]bool{"critical": true, "warning": true, "info": true}
	// The alerts the chart promises (docs/deploy.md).
	wantAlerts = []string{"MirrorInstanceDown", "MirrorFlowNotRunning", "MirrorLagGrowing", "MirrorLeaderFallback",
		"MirrorCrossZoneFetchBytes", "MirrorErrors"}
	// What the dashboard must show (issue 17): one panel query naming each.
	wantDashboardMetrics = []string{"mirror_records_replicated_total", "mirror_partition_lag_records",
		"mirror_replication_latency_seconds", "mirror_flow_fetch_mode", "mirror_fetch_bytes_total",
		"mirror_errors_total", "mirror_fetch_bytes_saved_total"}
)

// isDashboard tells the dashboard's ConfigMap from the config file's: it holds JSON, not mirror.yaml.
func isDashboard(cm *corev1.ConfigMap) bool {
	_, config := cm.Data[ConfigKey]
	return !config
}

// knownMetrics reads the metric names of docs/metrics.md's table (lines "| `mirror_...` |").
func knownMetrics(path string, p *problems) map[string]bool {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		p.add("--metrics-doc: %v", err)
		return nil
	}
	names := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if m := regexp.MustCompile("^\\| `(mirror_[a-z0-9_]+)`").FindStringSubmatch(line); m != nil {
			names[m[1]] = true
		}
	}
	if len(names) == 0 {
		p.add("--metrics-doc %s: no metric names found", path)
	}
	return names
}

// checkMetricNames: every mirror_* name in expr is one the service exports (a histogram's
// _bucket, _sum and _count series count as its name; "up" and other non-mirror names pass).
func checkMetricNames(where, expr string, known map[string]bool, p *problems) {
	if known == nil {
		return
	}
	for _, name := range metricName.FindAllString(expr, -1) {
		base := name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if strings.HasSuffix(name, suffix) && known[strings.TrimSuffix(name, suffix)] {
				base = strings.TrimSuffix(name, suffix)
			}
		}
		if !known[base] {
			p.add("%s: %s is not a metric of the service (docs/metrics.md)", where, name)
		}
	}
}

func checkMonitoring(m *manifests, o *options, p *problems) {
	known := knownMetrics(o.metricsDoc, p)
	selector := o.ruleSelector
	if selector == "auto" && len(m.services) == 1 {
		// What the chart's ServiceMonitor gives the series: the Service's namespace and name.
		selector = fmt.Sprintf("namespace=%q,service=%q", m.services[0].Namespace, m.services[0].Name)
	}
	var groups []RuleGroup

	switch {
	case !o.expectPrometheusRule && len(m.prometheusRules) > 0:
		p.add("a PrometheusRule is rendered, but none is expected")
	case o.expectPrometheusRule && len(m.prometheusRules) != 1:
		p.add("want one PrometheusRule, got %d", len(m.prometheusRules))
	case o.expectPrometheusRule:
		pr := m.prometheusRules[0]
		seen := map[string]bool{}
		for _, g := range pr.Spec.Groups {
			if g.Name == "" || len(g.Rules) == 0 {
				p.add("PrometheusRule %s: a group without name or rules", pr.Name)
			}
			for i, r := range g.Rules {
				where := fmt.Sprintf("PrometheusRule %s group %s rule %d (%s)", pr.Name, g.Name, i, r.Alert)
				if !alertNameRe.MatchString(r.Alert) || r.Record != "" {
					p.add("%s: want an alert named in CamelCase, no recording rule", where)
				}
				if seen[r.Alert] {
					p.add("%s: alert %s twice", where, r.Alert)
				}
				seen[r.Alert] = true
				if strings.TrimSpace(r.Expr) == "" {
					p.add("%s: empty expr", where)
				}
				if !durationRe.MatchString(r.For) {
					p.add("%s: for %q is not a duration", where, r.For)
				}
				if !severities[r.Labels["severity"]] {
					p.add("%s: label severity %q, want critical, warning or info", where, r.Labels["severity"])
				}
				for _, a := range []string{"summary", "description"} {
					if r.Annotations[a] == "" {
						p.add("%s: annotation %s missing", where, a)
					}
				}
				if selector != "" && !strings.Contains(r.Expr, selector) {
					p.add("%s: expr does not select %s: %s", where, selector, r.Expr)
				}
				checkMetricNames(where, r.Expr, known, p)
			}
			groups = append(groups, g)
		}
		for _, a := range wantAlerts {
			if !seen[a] {
				p.add("PrometheusRule %s: alert %s missing", pr.Name, a)
			}
		}
	}

	var dashboards []*corev1.ConfigMap
	for _, cm := range m.configMaps {
		if isDashboard(cm) {
			dashboards = append(dashboards, cm)
		}
	}
	switch {
	case !o.expectDashboard && len(dashboards) > 0:
		p.add("a dashboard ConfigMap is rendered, but none is expected")
	case o.expectDashboard && len(dashboards) != 1:
		p.add("want one dashboard ConfigMap, got %d", len(dashboards))
	case o.expectDashboard:
		if g, ok := checkDashboard(dashboards[0], o, known, p); ok {
			groups = append(groups, g)
		}
	}

	if o.rulesOut != "" {
		out, err := yaml.Marshal(map[string]any{"groups": groups})
		if err == nil {
			err = os.WriteFile(o.rulesOut, out, 0o644)
		}
		if err != nil {
			p.add("--rules-out: %v", err)
		}
	}
}

// checkDashboard checks the dashboard's ConfigMap and returns its queries as recording rules.
func checkDashboard(cm *corev1.ConfigMap, o *options, known map[string]bool, p *problems) (RuleGroup, bool) {
	where := "dashboard ConfigMap " + cm.Name
	if k, v, _ := strings.Cut(o.dashboardLabel, "="); o.dashboardLabel != "" && cm.Labels[k] != v {
		p.add("%s: label %s=%q, want %q (Grafana's sidecar selects by it)", where, k, cm.Labels[k], v)
	}
	if len(cm.Data) != 1 {
		p.add("%s: want one dashboard file, got %d keys", where, len(cm.Data))
		return RuleGroup{}, false
	}
	var name, text string
	for k, v := range cm.Data {
		name, text = k, v
	}
	if !strings.HasSuffix(name, ".json") {
		p.add("%s: key %s does not end in .json", where, name)
	}
	var d dashboard
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		p.add("%s: %s is not JSON: %v", where, name, err)
		return RuleGroup{}, false
	}
	if d.Title == "" || d.UID == "" {
		p.add("%s: title and uid must be set", where)
	}
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
	}
	for _, v := range []string{"datasource", "namespace", "flow"} {
		if !vars[v] {
			p.add("%s: template variable $%s missing", where, v)
		}
	}
	g := RuleGroup{Name: "dashboard " + d.UID}
	ids := map[int]bool{}
	shown := map[string]bool{}
	for _, pn := range d.Panels {
		pw := fmt.Sprintf("%s panel %d (%s)", where, pn.ID, pn.Title)
		if pn.ID == 0 || ids[pn.ID] {
			p.add("%s: id missing or not unique", pw)
		}
		ids[pn.ID] = true
		if pn.GridPos == nil || pn.GridPos.W <= 0 || pn.GridPos.H <= 0 || pn.GridPos.X+pn.GridPos.W > 24 {
			p.add("%s: gridPos missing or outside the 24 columns", pw)
		}
		if pn.Datasource == nil || pn.Datasource.UID != "${datasource}" {
			p.add("%s: datasource must be the $datasource variable", pw)
		}
		if len(pn.Targets) == 0 {
			p.add("%s: no queries", pw)
		}
		for _, t := range pn.Targets {
			if strings.TrimSpace(t.Expr) == "" {
				p.add("%s query %s: empty expr", pw, t.RefID)
				continue
			}
			checkMetricNames(fmt.Sprintf("%s query %s", pw, t.RefID), t.Expr, known, p)
			for _, n := range metricName.FindAllString(t.Expr, -1) {
				shown[strings.TrimSuffix(n, "_bucket")] = true
			}
			record := fmt.Sprintf("dashboard:panel_%d:%s", pn.ID, strings.ToLower(t.RefID))
			g.Rules = append(g.Rules, Rule{Record: record, Expr: grafanaVars.Replace(t.Expr)})
		}
	}
	var missing []string
	for _, n := range wantDashboardMetrics {
		if !shown[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		p.add("%s: no panel shows %s", where, strings.Join(missing, ", "))
	}
	return g, len(g.Rules) > 0
}
