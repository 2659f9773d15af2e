# Sourced by run.sh and test.sh: makes sure Debian's MariaDB, Redis, RabbitMQ and SMTP server (aiosmtpd) packages are installed.
# The AppHost starts them itself as Aspire executable resources (no container engine needed), so the
# packages' own system services are not used.

TICKETMASTER_SERVER_PACKAGES=(mariadb-server redis-server rabbitmq-server python3-aiosmtpd)

ensure_servers() {
  local missing=() pkg
  for pkg in "${TICKETMASTER_SERVER_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local install="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "TicketMaster needs these Debian packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get update && sudo $install" >&2
    return 1
  fi
  echo "Installing ${missing[*]} (apt-get)..."
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $install >/dev/null
}
