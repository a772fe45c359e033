#!/usr/bin/python3
"""Check the sigil serve manifests (deploy/*.yaml): valid YAML of the
expected kinds, and webhook configurations that the API server accepts and
that fail closed (admissionReviewVersions with v1, sideEffects None or
NoneOnDryRun, clientConfig with a service or url, timeoutSeconds 1-30,
failurePolicy Fail), plus the Deployment's probes and hardening.

usage: check_deploy.py DIR   (exit 0 when every check passes; otherwise one
line per problem, "FILE: KIND/NAME: problem", and exit 1)
"""
import glob
import os
import sys

import yaml

REQUIRED = {
    "Deployment", "Service", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "Certificate", "Issuer",
    "PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap",
}
KNOWN = REQUIRED | {"Namespace", "ServiceAccount"}


def check_webhooks(doc, problem):
    hooks = doc.get("webhooks")
    if not isinstance(hooks, list) or not hooks:
        problem("no webhooks")
        return
    for h in hooks:
        name = h.get("name", "?")
        versions = h.get("admissionReviewVersions")
        if not isinstance(versions, list) or "v1" not in versions:
            problem(f"{name}: admissionReviewVersions must list v1")
        if h.get("sideEffects") not in ("None", "NoneOnDryRun"):
            problem(f"{name}: sideEffects must be None or NoneOnDryRun")
        t = h.get("timeoutSeconds")
        if not isinstance(t, int) or isinstance(t, bool) or not 1 <= t <= 30:
            problem(f"{name}: timeoutSeconds must be 1-30, got {t!r}")
        if h.get("failurePolicy") != "Fail":
            problem(f"{name}: failurePolicy must be Fail")
        cc = h.get("clientConfig")
        if not isinstance(cc, dict) or not (
            isinstance(cc.get("service"), dict) or isinstance(cc.get("url"), str)
        ):
            problem(f"{name}: clientConfig needs a service or a url")
        elif isinstance(cc.get("service"), dict):
            svc = cc["service"]
            if not svc.get("name") or not svc.get("namespace"):
                problem(f"{name}: clientConfig.service needs name and namespace")
        sel = (h.get("namespaceSelector") or {}).get("matchLabels") or {}
        if sel.get("policy.sigstore.dev/include") != "true":
            problem(f"{name}: namespaceSelector must opt in on "
                    "policy.sigstore.dev/include: \"true\"")


def check_deployment(doc, problem):
    spec = doc.get("spec") or {}
    if not isinstance(spec.get("replicas"), int) or spec["replicas"] < 2:
        problem("replicas must be 2 or more")
    pod = ((spec.get("template") or {}).get("spec")) or {}
    if not (pod.get("securityContext") or {}).get("runAsNonRoot"):
        problem("securityContext.runAsNonRoot must be true")
    for c in pod.get("containers") or []:
        sc = c.get("securityContext") or {}
        if not sc.get("readOnlyRootFilesystem"):
            problem(f"{c.get('name')}: readOnlyRootFilesystem must be true")
        if (c.get("readinessProbe") or {}).get("httpGet", {}).get("path") != "/readyz":
            problem(f"{c.get('name')}: readinessProbe on /readyz")
        if (c.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
            problem(f"{c.get('name')}: livenessProbe on /healthz")
        if not (c.get("resources") or {}).get("requests"):
            problem(f"{c.get('name')}: resources.requests missing")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        return 2
    problems = []
    seen = set()
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml")))
    if not files:
        problems.append(f"{sys.argv[1]}: no *.yaml files")
    for path in files:
        base = os.path.basename(path)
        try:
            docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
        except yaml.YAMLError as e:
            problems.append(f"{base}: invalid YAML: {str(e).splitlines()[0]}")
            continue
        for doc in docs:
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                problems.append(f"{base}: a document without apiVersion/kind")
                continue
            kind = doc["kind"]
            name = (doc.get("metadata") or {}).get("name", "?")

            def problem(msg, base=base, kind=kind, name=name):
                problems.append(f"{base}: {kind}/{name}: {msg}")

            if kind not in KNOWN:
                problem("unexpected kind")
            seen.add(kind)
            if kind.endswith("WebhookConfiguration"):
                check_webhooks(doc, problem)
            elif kind == "Deployment":
                check_deployment(doc, problem)
            elif kind == "ConfigMap":
                for key, text in (doc.get("data") or {}).items():
                    try:
                        pols = [p for p in yaml.safe_load_all(text) if p]
                    except yaml.YAMLError:
                        problem(f"data.{key}: invalid YAML")
                        continue
                    if not pols or any(p.get("kind") != "ClusterImagePolicy" for p in pols):
                        problem(f"data.{key}: expected ClusterImagePolicy documents")
    if files:
        for kind in sorted(REQUIRED - seen):
            problems.append(f"{sys.argv[1]}: no {kind}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
