#!/usr/bin/env bash
# Kubernetes deployment, generated from the AppHost's publish-mode model (no hand-kept copy):
#   ./deploy.sh manifests           regenerate deploy/k8s from the AppHost (commit the result)
#   ./deploy.sh secrets OVERLAY     write deploy/k8s/overlays/OVERLAY/secrets.env with fresh random values (git-ignored;
#                                   Stripe's keys from STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET, the SMTP server from
#                                   MAIL_SERVER, e.g. smtps://user:password@smtp.example.com:465, the site's sign-in from
#                                   OIDC_AUTHORITY, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, its card form from STRIPE_PUBLISHABLE_KEY)
#   ./deploy.sh images [REGISTRY]   build the four service images with the SDK's container support
#   ./deploy.sh apply OVERLAY       kubectl apply -k deploy/k8s/overlays/OVERLAY
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case "${1:-}" in
  manifests)
    out=$(mktemp -d)
    dotnet run --project TicketMaster.AppHost -- --publisher manifest --output-path "$out/aspire-manifest.json" >/dev/null
    rm -rf deploy/k8s/base deploy/k8s/overlays/*/kustomization.yaml deploy/k8s/overlays/*/*-patch.yaml deploy/k8s/overlays/*/*-replicas.yaml deploy/k8s/overlays/*/*-storage.yaml
    dotnet run --project deploy/TicketMaster.Deploy -- "$out/aspire-manifest.json" deploy/k8s
    rm -rf "$out"
    ;;
  secrets)
    overlay=${2:?overlay: local or production}
    dir=deploy/k8s/overlays/$overlay
    umask 077
    : > "$dir/secrets.env"
    # Stripe's keys are issued by Stripe, not generated: production needs the real ones, the local overlay
    # (simulated payments) gets placeholders.
    if [ "$overlay" != local ] && { [ -z "${STRIPE_API_KEY:-}" ] || [ -z "${STRIPE_WEBHOOK_SECRET:-}" ]; }; then
      echo "set STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET (from the Stripe dashboard) for the $overlay overlay" >&2
      rm -f "$dir/secrets.env"; exit 1
    fi
    # Fans' mail needs the operator's SMTP server; the local overlay has none (its mail is kept owed, then given up).
    if [ "$overlay" != local ] && [ -z "${MAIL_SERVER:-}" ]; then
      echo "set MAIL_SERVER (smtp://host:port or smtps://user:password@host:port) for the $overlay overlay" >&2
      rm -f "$dir/secrets.env"; exit 1
    fi
    # The site signs people in through the operator's identity provider; the local overlay keeps the dev sign-in.
    if [ "$overlay" != local ] && { [ -z "${OIDC_AUTHORITY:-}" ] || [ -z "${OIDC_CLIENT_ID:-}" ] || [ -z "${STRIPE_PUBLISHABLE_KEY:-}" ]; }; then
      echo "set OIDC_AUTHORITY, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and STRIPE_PUBLISHABLE_KEY for the $overlay overlay" >&2
      rm -f "$dir/secrets.env"; exit 1
    fi
    grep -E '^[a-z0-9-]+=$' "$dir/secrets.env.example" | while IFS== read -r key _; do
      case "$key" in
        stripe-api-key) value=${STRIPE_API_KEY:-sk_test_unused_locally} ;;
        stripe-webhook-secret) value=${STRIPE_WEBHOOK_SECRET:-whsec_unused_locally} ;;
        mail) value=${MAIL_SERVER:-smtp://127.0.0.1:25} ;;
        oidc-authority) value=${OIDC_AUTHORITY:-} ;;
        oidc-client-id) value=${OIDC_CLIENT_ID:-} ;;
        oidc-client-secret) value=${OIDC_CLIENT_SECRET:-} ;;
        stripe-publishable-key) value=${STRIPE_PUBLISHABLE_KEY:-} ;;
        *) value=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 48) ;;
      esac
      echo "$key=$value" >> "$dir/secrets.env"
    done
    echo "wrote $dir/secrets.env ($(wc -l < "$dir/secrets.env") secrets)"
    ;;
  images)
    registry=${2:-}
    for project in EventsApi BookingApi Indexer Web; do
      dotnet publish "TicketMaster.$project" -c Release -t:PublishContainer ${registry:+-p:ContainerRegistry=$registry}
    done
    ;;
  apply)
    overlay=${2:?overlay: local or production}
    [ -f "deploy/k8s/overlays/$overlay/secrets.env" ] || { echo "run ./deploy.sh secrets $overlay first" >&2; exit 1; }
    kubectl apply -k "deploy/k8s/overlays/$overlay"
    ;;
  *)
    sed -n '2,8p' "$0"; exit 2 ;;
esac
