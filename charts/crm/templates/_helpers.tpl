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

{{/* Labels of the key-rotation Job's pod: not the service's selector labels, so the Service and the PDB never pick it. */}}
{{- define "crm.keyRotationSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: key-rotation
{{- end -}}

{{/* A container running one `keys` CLI command with the service's image, configuration and Secret. Takes (dict "root" $ "name" … "args" (list …)). */}}
{{- define "crm.keysContainer" -}}
{{- $root := .root -}}
- name: {{ .name }}
  image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}"
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  command: ["node", "dist/apps/crm/apps/crm/src/cli/main.js", "keys"]
  args:
    {{- toYaml .args | nindent 4 }}
  securityContext:
    {{- toYaml $root.Values.securityContext | nindent 4 }}
  envFrom:
    - configMapRef:
        name: {{ include "crm.fullname" $root }}
    - secretRef:
        name: {{ include "crm.secretName" $root }}
  {{- with $root.Values.extraEnv }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  resources:
    {{- toYaml $root.Values.keyRotation.resources | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
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
