#!/usr/bin/env bash
# Nightly backup of the Aduan desk: the database (PostgreSQL custom-format dump, or an online SQLite
# copy) and the media directory (citizens' photos). Run by aduan-backup.service (nightly timer);
# by hand: `systemctl start aduan-backup && journalctl -u aduan-backup -n 20`.
#
# Environment (from /etc/aduan/aduan.env):
#   DATABASE_URL      postgresql+psycopg://... or sqlite:////var/lib/aduan/aduan.db (required)
#   BACKUP_DIR        where dumps go (default /var/backups/aduan)
#   BACKUP_MEDIA_DIR  the media directory to copy (default /var/lib/aduan/media; skipped when absent)
#   BACKUP_KEEP_DAYS  delete this script's files older than this many days (default 14)
#
# Every dump is checked before it counts (pg_restore --list, or SQLite's integrity_check); the script
# exits non-zero on any failure, so the systemd unit shows "failed" and journald keeps the reason.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/aduan}"
BACKUP_MEDIA_DIR="${BACKUP_MEDIA_DIR:-/var/lib/aduan/media}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$BACKUP_DIR"

log() { printf 'backup: %s\n' "$*" >&2; }

case "$DATABASE_URL" in
  postgresql*)
    # libpq does not know SQLAlchemy's "+psycopg" driver suffix.
    libpq_url="postgresql:${DATABASE_URL#*:}"
    target="$BACKUP_DIR/aduan-$stamp.dump"
    pg_dump --format=custom --no-owner --file="$target.partial" "$libpq_url"
    pg_restore --list "$target.partial" > /dev/null
    mv "$target.partial" "$target"
    ;;
  sqlite*)
    # sqlite:///relative.db or sqlite:////absolute/path.db -> the file path.
    path="${DATABASE_URL#sqlite:///}"
    [[ -f "$path" ]] || { log "no SQLite file at $path"; exit 1; }
    target="$BACKUP_DIR/aduan-$stamp.db"
    # The online backup API copies a consistent snapshot while the desk keeps writing.
    sqlite3 "$path" ".timeout 30000" ".backup '$target.partial'"
    check="$(sqlite3 "$target.partial" "PRAGMA integrity_check;")"
    [[ "$check" == "ok" ]] || { log "integrity_check of the copy says: $check"; exit 1; }
    mv "$target.partial" "$target"
    ;;
  *)
    log "unsupported DATABASE_URL scheme: ${DATABASE_URL%%:*}"
    exit 1
    ;;
esac
log "database -> $target ($(du -h "$target" | cut -f1))"

if [[ -d "$BACKUP_MEDIA_DIR" ]]; then
  media="$BACKUP_DIR/media-$stamp.tar.gz"
  tar -C "$(dirname "$BACKUP_MEDIA_DIR")" -czf "$media.partial" "$(basename "$BACKUP_MEDIA_DIR")"
  mv "$media.partial" "$media"
  log "media -> $media ($(du -h "$media" | cut -f1))"
else
  log "no media directory at $BACKUP_MEDIA_DIR (nothing to copy)"
fi

find "$BACKUP_DIR" -maxdepth 1 -type f \( -name 'aduan-*.dump' -o -name 'aduan-*.db' -o -name 'media-*.tar.gz' \) \
  -mtime +"$BACKUP_KEEP_DAYS" -print -delete | sed 's/^/backup: removed old /' >&2
