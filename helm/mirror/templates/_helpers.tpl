{{/* Name of the chart, overridable. */}}
{{- define "mirror.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: <release>-<chart>, or the release name alone when it already
contains the chart name. 63 characters at most (DNS label).
*/}}
{{- define "mirror.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart label value: <name>-<version>. */}}
{{- define "mirror.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "mirror.labels" -}}
helm.sh/chart: {{ include "mirror.chart" . }}
{{ include "mirror.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: replicator
{{- end }}

{{/* Labels that select the pods (immutable in a Deployment: keep them few and stable). */}}
{{- define "mirror.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mirror.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mirror.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mirror.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: set the existing ServiceAccount to use when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mirror.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
AZ sources as written to the config file: availabilityZone.sources, with `env` first when
availabilityZone.fromPodLabel passes the pod's zone label in MIRROR_AVAILABILITY_ZONE.
*/}}
{{- define "mirror.azSources" -}}
{{- $sources := .Values.availabilityZone.sources }}
{{- if and .Values.availabilityZone.fromPodLabel (not (has "env" $sources)) }}
{{- $sources = prepend $sources "env" }}
{{- end }}
{{- toJson $sources }}
{{- end }}

{{/*
"true" when the pod reads its node through the Kubernetes API (the `kubernetes` AZ source is
configured and no literal AZ is set), else "". Only then are the ClusterRole, its binding and the
service-account token rendered.
*/}}
{{- define "mirror.needsNodeAccess" -}}
{{- if and (has "kubernetes" .Values.availabilityZone.sources) (not .Values.availabilityZone.value) }}true{{- end }}
{{- end }}

{{/*
The service's config file: exactly node, http, clusters and flows (docs/configuration.md).
clusters and flows are passed through from the values as they are.
*/}}
{{- define "mirror.config" -}}
node:
  availability_zone: {{ .Values.availabilityZone.value | default "auto" | quote }}
  availability_zone_sources: {{ include "mirror.azSources" . }}
http:
  listen: {{ printf "0.0.0.0:%d" (int .Values.metrics.port) | quote }}
  {{- if .Values.adminToken.existingSecret }}
  admin_token: "${env:MIRROR_ADMIN_TOKEN}"
  {{- end }}
log:
  format: {{ .Values.log.format | quote }}
memory:
  record_buffers_mib: {{ int .Values.memory.recordBuffersMib }}
clusters:
{{- if .Values.clusters }}
{{ toYaml .Values.clusters | indent 2 }}
{{- else }} {}
{{- end }}
flows:
{{- range .Values.flows }}
  - name: {{ .name | toYaml }}
    source: {{ .source | toYaml }}
    target: {{ .target | toYaml }}
    {{- with (omit . "name" "source" "target") }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- else }} []
{{- end }}
{{- end }}

{{/* The config file as the ConfigMap holds it (with its final newline); its sha256 rolls the pods. */}}
{{- define "mirror.configFile" -}}
{{ include "mirror.config" . }}
{{ end }}

{{/*
Checks across values that the schema cannot express; fails the render with a clear message.
*/}}
{{- define "mirror.validate" -}}
{{- /* Secret-looking librdkafka properties must be references, not values. */}}
{{- if not .Values.allowInlineSecrets }}
{{- $secretKey := "(?i)(password|secret|ssl\\.key\\.pem|sasl\\.jaas\\.config)" }}
{{- $ref := "^\\$\\{(env|file):[^}]+\\}$" }}
{{- range $cname, $cluster := .Values.clusters }}
{{- range $k, $v := (get $cluster "properties" | default dict) }}
{{- if and (regexMatch $secretKey $k) (not (regexMatch $ref (toString $v))) }}
{{- fail (printf "clusters.%s.properties.%s: a literal secret would be stored in the ConfigMap; write ${env:NAME} and add NAME to secretEnv (or set allowInlineSecrets: true)" $cname $k) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $i, $flow := .Values.flows }}
{{- range $section := list "consumer" "producer" }}
{{- range $k, $v := (get $flow $section | default dict) }}
{{- if and (regexMatch $secretKey $k) (not (regexMatch $ref (toString $v))) }}
{{- fail (printf "flows[%d].%s.%s: a literal secret would be stored in the ConfigMap; write ${env:NAME} and add NAME to secretEnv (or set allowInlineSecrets: true)" $i $section $k) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- /* Every ${env:NAME} in the config file must be an env var of the container. */}}
{{- $defined := list "NODE_NAME" }}
{{- if .Values.adminToken.existingSecret }}{{ $defined = append $defined "MIRROR_ADMIN_TOKEN" }}{{ end }}
{{- range .Values.secretEnv }}{{ $defined = append $defined .name }}{{ end }}
{{- range .Values.extraEnv }}{{ $defined = append $defined .name }}{{ end }}
{{- range $ref := regexFindAll "\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}" (include "mirror.config" .) -1 }}
{{- $name := $ref | trimPrefix "${env:" | trimSuffix "}" }}
{{- if not (has $name $defined) }}
{{- fail (printf "the config references %s, but no secretEnv (or extraEnv) entry defines %s" $ref $name) }}
{{- end }}
{{- end }}
{{- /* Env var names must not collide. */}}
{{- if .Values.availabilityZone.fromPodLabel }}{{ $defined = append $defined "MIRROR_AVAILABILITY_ZONE" }}{{ end }}
{{- $seen := dict }}
{{- range $name := $defined }}
{{- if hasKey $seen $name }}
{{- fail (printf "env var %s is defined twice (secretEnv/extraEnv; the chart sets NODE_NAME, MIRROR_ADMIN_TOKEN with adminToken.existingSecret, and MIRROR_AVAILABILITY_ZONE with availabilityZone.fromPodLabel)" $name) }}
{{- end }}
{{- $_ := set $seen $name true }}
{{- end }}
{{- /* Secret files: mounted apart from the config and /tmp, each place once; every ${file:PATH}
of the config lies in one of them (and is one of its items when they are listed). */}}
{{- $mounts := list }}
{{- range $i, $f := .Values.secretFiles }}
{{- $path := $f.mountPath | trimSuffix "/" }}
{{- range $reserved := list "/etc/mirror" "/tmp" }}
{{- if or (eq $path $reserved) (hasPrefix (printf "%s/" $reserved) $path) (hasPrefix (printf "%s/" $path) $reserved) }}
{{- fail (printf "secretFiles[%d].mountPath %s: %s is the chart's (the config, the scratch space); mount Secret files elsewhere, e.g. /etc/mirror-secrets/<name>" $i $f.mountPath $reserved) }}
{{- end }}
{{- end }}
{{- range $other := $mounts }}
{{- if or (eq $path $other) (hasPrefix (printf "%s/" $other) $path) (hasPrefix (printf "%s/" $path) $other) }}
{{- fail (printf "secretFiles[%d].mountPath %s: overlaps the mount at %s" $i $f.mountPath $other) }}
{{- end }}
{{- end }}
{{- $mounts = append $mounts $path }}
{{- end }}
{{- range $ref := regexFindAll "\\$\\{file:[^}]+\\}" (include "mirror.config" .) -1 }}
{{- $file := $ref | trimPrefix "${file:" | trimSuffix "}" }}
{{- $found := false }}
{{- range $.Values.secretFiles }}
{{- $dir := .mountPath | trimSuffix "/" }}
{{- if hasPrefix (printf "%s/" $dir) $file }}
{{- if .items }}
{{- range .items }}{{ if eq $file (printf "%s/%s" $dir .path) }}{{ $found = true }}{{ end }}{{ end }}
{{- else }}
{{- $found = true }}
{{- end }}
{{- end }}
{{- end }}
{{- if not $found }}
{{- fail (printf "the config references %s, but no secretFiles entry mounts a Secret file there" $ref) }}
{{- end }}
{{- end }}
{{- /* Flow names are unique and reference known clusters (the service checks too; fail early). */}}
{{- $names := dict }}
{{- range .Values.flows }}
{{- if hasKey $names .name }}
{{- fail (printf "flows: duplicate flow name %q" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
{{- range $side := list .source .target }}
{{- if not (hasKey $.Values.clusters $side) }}
{{- fail (printf "flows: cluster %q is not defined in clusters" $side) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
