{{- define "crm.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "crm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "crm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "crm.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "crm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "crm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding keys and credentials: an existing one (secret manager) or the chart's own. */}}
{{- define "crm.secretName" -}}
{{- if .Values.useExistingSecret -}}
{{- required "existingSecretName is required when useExistingSecret is true" .Values.existingSecretName -}}
{{- else -}}
{{- include "crm.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* The image reference: repository@digest when a digest is set (the tag is then ignored), repository:tag otherwise. */}}
{{- define "crm.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* Where the Secret's keys are mounted as files when secrets.mountAsFiles is on. */}}
{{- define "crm.secretsDir" -}}/var/run/secrets/crm{{- end -}}

{{/*
The keys the Secret holds, one per line: the ones the chart's own Secret writes, or existingSecretKeys for an
existing Secret (the chart cannot read it). Each becomes a <NAME>_FILE variable, and the service refuses to start
when such a file is absent, so only keys that are there may be named.
*/}}
{{- define "crm.secretKeys" -}}
{{- if .Values.useExistingSecret -}}
{{- range .Values.existingSecretKeys }}
{{ . }}
{{- end -}}
{{- else -}}
{{- $s := .Values.secrets -}}
LCRYPTO_ENCRYPT_SECRET_KEY
LCRYPTO_HASH_SECRET_KEY
{{- if $s.previousEncryptKeys }}
LCRYPTO_ENCRYPT_PREVIOUS_KEYS
{{- end -}}
{{- if $s.previousHashKeys }}
LCRYPTO_HASH_PREVIOUS_KEYS
{{- end -}}
{{- if $s.mongoUri }}
MONGO_URI
{{- end -}}
{{- if $s.mongoPassword }}
MONGO_PASSWORD
{{- end -}}
{{- if $s.midazAuthToken }}
MIDAZ_AUTH_TOKEN
{{- end -}}
{{- if $s.streamingSaslPassword }}
STREAMING_SASL_PASSWORD
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
How a container receives the Secret and the settings, shared by the service and the key-rotation Job. As files
(default): a variable in a process's environment is inherited by its children and shows up in crash dumps and
`kubectl describe`, a file on a read-only mount does neither. secrets.mountAsFiles=false keeps the variables.
*/}}
{{- define "crm.containerConfig" -}}
envFrom:
  - configMapRef:
      name: {{ include "crm.fullname" . }}
  {{- if not .Values.secrets.mountAsFiles }}
  - secretRef:
      name: {{ include "crm.secretName" . }}
  {{- end }}
{{- $env := list -}}
{{- if .Values.secrets.mountAsFiles -}}
{{- range splitList "\n" (include "crm.secretKeys" . | trim) -}}
{{- $env = append $env (dict "name" (printf "%s_FILE" .) "value" (printf "%s/%s" (include "crm.secretsDir" $) .)) -}}
{{- end -}}
{{- end -}}
{{- $env = concat $env (.Values.extraEnv | default list) -}}
{{- with $env }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- if .Values.secrets.mountAsFiles }}
  - name: secrets
    mountPath: {{ include "crm.secretsDir" . }}
    readOnly: true
  {{- end }}
{{- end -}}

{{/* The pod volumes behind crm.containerConfig. 0440 with the pod's fsGroup: readable by the service's group only. */}}
{{- define "crm.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.secrets.mountAsFiles }}
- name: secrets
  secret:
    secretName: {{ include "crm.secretName" . }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{/* Labels of the key-rotation Job's pod: not the service's selector labels, so the Service and the PDB never pick it. */}}
{{- define "crm.keyRotationSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: key-rotation
{{- end -}}

{{/* A container running one `keys` CLI command with the service's image, configuration and Secret. Takes (dict "root" $ "name" … "args" (list …)). */}}
{{- define "crm.keysContainer" -}}
{{- $root := .root -}}
- name: {{ .name }}
  image: {{ include "crm.image" $root | quote }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  command: ["node", "dist/apps/crm/apps/crm/src/cli/main.js", "keys"]
  args:
    {{- toYaml .args | nindent 4 }}
  securityContext:
    {{- toYaml $root.Values.securityContext | nindent 4 }}
  {{- include "crm.containerConfig" $root | nindent 2 }}
  resources:
    {{- toYaml $root.Values.keyRotation.resources | nindent 4 }}
{{- end -}}

{{/* Egress to MongoDB and DNS, shared by the service's and the key-rotation Job's NetworkPolicies. */}}
{{- define "crm.egressMongodb" -}}
- to:
    {{- toYaml .Values.networkPolicy.egress.mongodb.to | nindent 4 }}
  ports:
    - port: {{ .Values.networkPolicy.egress.mongodb.port }}
      protocol: TCP
{{- end -}}

{{- define "crm.egressDns" -}}
- to:
    {{- toYaml .Values.networkPolicy.egress.dns.to | nindent 4 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}
