/**
 * The `--help` text of the server.
 *
 * @module
 */
import { DEFAULT_CONFIG_FILE } from "./config-file.js";
import {
  DEFAULT_DATABASE,
  DEFAULT_LOG_CHUNK_BYTES,
  DEFAULT_LOGS_DIR,
  DEFAULT_SHUTDOWN_DELAY_MS,
} from "./config-sections.js";
import { DEFAULT_MAX_LOG_BYTES } from "./log-upload.js";
import { DEFAULT_MAX_PAGE_BYTES } from "./page-budget.js";
import { DEFAULT_MAX_BODY_BYTES } from "./rest-gateway.js";
import { DEFAULT_REQUEST_LOG_LEVEL } from "./request-log.js";
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  DEFAULT_MAX_CONNECTION_AGE_MS,
  DEFAULT_SHUTDOWN_DEADLINE_MS,
} from "./server.js";
import { DEFAULT_TLS_MIN_VERSION } from "./tls.js";
import { DEFAULT_MAX_FILTER_DEPTH, DEFAULT_MAX_FILTER_LENGTH } from "./config-limits.js";
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from "./request-limits.js";
import { DEFAULT_MAX_RECORD_BYTES, MAX_ANNOTATIONS_BYTES } from "./validate.js";

/** The usage text of `--help`. */
export const USAGE = `Usage: tekton-results-server [flags]

Serves the Tekton Results API (gRPC, gRPC-Web, Connect and REST) on one port,
over TLS when given a certificate.

Flags (each has an environment variable). A flag wins over its variable in the
environment, which wins over the same variable in the config file, which wins over
the default. Where upstream Tekton Results has a variable for the same setting
(below), ours wins wherever each is set; when the two differ, the start-up log
names upstream's as ignored.
  --config <file>          RESULTS_CONFIG    config file in upstream's format: KEY=VALUE lines,
                                             # comments, optional quotes; unknown keys are
                                             warned about (default ${DEFAULT_CONFIG_FILE}
                                             when it exists)
  --port <n>               PORT              TCP port (default 8080)
  --host <addr>            HOST              address to bind (default 0.0.0.0)
  --database <url|path>    DATABASE_URL      SQLite file path, "sqlite:<path>",
                                             "sqlite::memory:", or postgres://user:pw@host/db
                                             (default ${DEFAULT_DATABASE})
  --log-level <level>      LOG_LEVEL         debug, info, warn or error (default info)
  --request-log-level <l>  REQUEST_LOG_LEVEL  one line per RPC and REST request (procedure,
                                             code, duration, caller, peer) at: off, debug or
                                             info (default ${DEFAULT_REQUEST_LOG_LEVEL}: hidden at
                                             the default log level)
  --max-body-bytes <n>     MAX_BODY_BYTES    largest request body and RPC message
                                             (default ${DEFAULT_MAX_BODY_BYTES}, 16 MiB)
  --max-page-bytes <n>     MAX_PAGE_BYTES    a list page stops early (with a next_page_token)
                                             once its items pass this size; 0 = no budget
                                             (default ${DEFAULT_MAX_PAGE_BYTES}, 16 MiB)
  --max-filter-length <n>  MAX_FILTER_LENGTH  longest CEL filter, in characters
                                             (default ${DEFAULT_MAX_FILTER_LENGTH})
  --max-filter-depth <n>   MAX_FILTER_DEPTH  deepest CEL filter, in levels of operators (at
                                             most 32 of them brackets), 1 to 1000
                                             (default ${DEFAULT_MAX_FILTER_DEPTH})
  --max-record-bytes <n>   MAX_RECORD_BYTES  largest record data.value; 0 = only
                                             --max-body-bytes (default ${DEFAULT_MAX_RECORD_BYTES}, 16 MiB)
  --max-annotations-bytes <n> MAX_ANNOTATIONS_BYTES  largest annotation map, keys plus
                                             values (default ${MAX_ANNOTATIONS_BYTES}, 256 KiB)
  --max-concurrent-streams <n> MAX_CONCURRENT_STREAMS  streams a client may open at once on
                                             one HTTP/2 connection; more are refused
                                             (REFUSED_STREAM) (default ${DEFAULT_MAX_CONCURRENT_STREAMS})
  --headers-timeout-ms <n> HEADERS_TIMEOUT_MS  close an HTTP/1.1 connection whose request
                                             head has not arrived in this time
                                             (default ${DEFAULT_HEADERS_TIMEOUT_MS})
  --request-timeout-ms <n> REQUEST_TIMEOUT_MS  per-request deadline: a unary RPC or REST
                                             call answers DeadlineExceeded after this long, and
                                             a request body (but UpdateLog's) not received by
                                             then is cut; 0 = none (default ${DEFAULT_REQUEST_TIMEOUT_MS})
  --shutdown-timeout-ms <n> SHUTDOWN_TIMEOUT_MS  grace period for in-flight requests
                                             on SIGTERM/SIGINT (default ${DEFAULT_SHUTDOWN_DEADLINE_MS})
  --shutdown-delay-ms <n>  SHUTDOWN_DELAY_MS  on the first SIGTERM/SIGINT, turn /readyz 503
                                             and health NOT_SERVING but go on serving this long
                                             before shutting down, while the pod leaves the
                                             Service; a second signal ends it
                                             (default ${DEFAULT_SHUTDOWN_DELAY_MS})
  --idle-timeout-ms <n>    IDLE_TIMEOUT_MS   close an HTTP/2 connection (GOAWAY) after this long
                                             without an open stream; 0 = never
                                             (default ${DEFAULT_IDLE_TIMEOUT_MS})
  --handshake-timeout-ms <n> HANDSHAKE_TIMEOUT_MS  close a new connection that sends no
                                             request or HTTP/2 preface in this time
                                             (default ${DEFAULT_HANDSHAKE_TIMEOUT_MS})
  --http1-keep-alive-timeout-ms <n> HTTP1_KEEP_ALIVE_TIMEOUT_MS  close an idle HTTP/1.1
                                             keep-alive connection after this long; behind a
                                             proxy, longer than its idle timeout; 0 = never
                                             (default ${DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS})
  --max-connection-age-ms <n> MAX_CONNECTION_AGE_MS  ask a connection to go after this long,
                                             ±10% (HTTP/2: GOAWAY; HTTP/1.1: Connection: close),
                                             so that clients reconnect through the load
                                             balancer; 0 = unlimited
                                             (default ${DEFAULT_MAX_CONNECTION_AGE_MS})
  --max-connection-age-grace-ms <n> MAX_CONNECTION_AGE_GRACE_MS  then cut an HTTP/2
                                             connection whose streams are still open after
                                             this long; 0 = no limit
                                             (default ${DEFAULT_MAX_CONNECTION_AGE_GRACE_MS})
  --metrics-port <n>       METRICS_PORT      serve GET /metrics on this port (plain HTTP, same
                                             host) and not on the API port (default: on the
                                             API port)
  --retention-config <path> RETENTION_CONFIG  run retention in the server on this
                                             configuration's runAt schedule: upstream's
                                             retention ConfigMap as a YAML file, or mounted as
                                             a directory; read again before each run (one that
                                             cannot be used skips runs until fixed); one
                                             runner across replicas (PostgreSQL advisory lock)
                                             (default: none)
  --skip-migrations        SKIP_MIGRATIONS   do not apply schema migrations at start-up
  --migrate-only                             apply schema migrations, then exit
TLS (HTTP/2 by ALPN and HTTP/1.1 on the one port; default: cleartext h2c and HTTP/1.1):
  --tls-cert-file <path>   TLS_CERT_FILE     PEM certificate (chain) of the server
  --tls-key-file <path>    TLS_KEY_FILE      PEM private key of the certificate
                           TLS_PATH          upstream's: a directory holding tls.crt and
                                             tls.key (used when the two above are unset)
  --tls-min-version <v>    TLS_MIN_VERSION   TLSv1.2 or TLSv1.3 (default ${DEFAULT_TLS_MIN_VERSION})
                                             The files are reloaded when they change.
  --tls-client-ca <path>   TLS_CLIENT_CA     PEM CA(s) of client certificates: mutual TLS
  --tls-client-auth <m>    TLS_CLIENT_AUTH   require (default with a client CA: no client
                                             without a certificate that CA signed) or
                                             request (one is asked for, a client without
                                             one is served, one the CA did not sign is not)
SQLite only:
  --sqlite-statement-timeout-ms <n> SQLITE_STATEMENT_TIMEOUT_MS  stop a filter's statement
                                             after this long (DeadlineExceeded); 0 = none
                                             (default 5000)
PostgreSQL only:
  --db-pool-max <n>        DB_POOL_MAX       pooled connections (default 10)
  --db-statement-timeout-ms <n> DB_STATEMENT_TIMEOUT_MS  per statement; 0 = none (default 30000)
  --db-schema <name>       DB_SCHEMA         schema of the tables (default public)
  --db-sslmode <mode>      DB_SSLMODE        disable, require, verify-ca or verify-full
                                             (default: what the URL says)
  --db-ssl-ca-file <path>  DB_SSL_CA_FILE    PEM CA bundle for verify-ca/verify-full
  --db-connect-retries <n> DB_CONNECT_RETRIES  start-up attempts, 1 s apart (default 30)
  --cors-origins <list>    CORS_ORIGINS      comma-separated origins browsers may call
                                             from, or * (default: none)
  --ui <bool>              UI                serve the web UI at / (default true;
                                             --ui=false: the API only)
Authorization:
  --auth <none|kubernetes> AUTH_MODE         none: allow every request (default);
                                             kubernetes: bearer tokens checked with a
                                             TokenReview, permissions (results.tekton.dev
                                             results/records/logs) with SubjectAccessReviews
  --kubeconfig <path>      KUBECONFIG        the cluster to ask (default: ~/.kube/config,
                                             or the pod's service account in a cluster)
  --auth-cache-ttl-ms <n>  AUTH_CACHE_TTL_MS how long a decision is reused (default 10000; 0 = never)
  --auth-audiences <list>  AUTH_AUDIENCES    comma-separated token audiences (default: the
                                             API server's)
  --auth-impersonation <true|false> AUTH_IMPERSONATE  honour Impersonate-* headers,
                                             each use reviewed (default true)
Logs API:
  --logs <true|false>      LOGS_API          serve the Logs API (default true);
                                             --no-logs is --logs false
  --logs-dir <path>        LOGS_DIR          directory of the stored logs
                                             (default ${DEFAULT_LOGS_DIR})
  --logs-fsync             LOGS_FSYNC        flush each log to disk before UpdateLog answers
  --logs-chunk-bytes <n>   LOGS_BUFFER_SIZE  size of GetLog chunks (default ${DEFAULT_LOG_CHUNK_BYTES})
  --max-log-bytes <n>      MAX_LOG_BYTES     largest log one UpdateLog may store; larger is
                                             ResourceExhausted; 0 = no limit
                                             (default ${DEFAULT_MAX_LOG_BYTES}, 256 MiB)
  --logs-type <File|S3>    LOGS_TYPE         log store: files under --logs-dir, or S3 (default File)
  --s3-endpoint <url>      S3_ENDPOINT       S3-compatible service URL (required with S3)
  --s3-bucket <name>       S3_BUCKET_NAME    bucket of the logs (required with S3)
  --s3-region <name>       S3_REGION         signing region (default us-east-1)
  --s3-key-prefix <p/>     S3_KEY_PREFIX     prefix of the object keys (default none)
  --s3-virtual-hosted      S3_VIRTUAL_HOSTED bucket in the host name instead of the path
  --s3-part-size <n>       S3_MULTI_PART_SIZE  multipart part size (default 8388608, min 5 MiB)
                           S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_SESSION_TOKEN: credentials
                           (environment only; AWS_ACCESS_KEY_ID... are used when unset)
Upstream Tekton Results' variables (docs/migrating-from-upstream.md has every key):
  SERVER_PORT: --port. PROMETHEUS_PORT: --metrics-port. DB_HOST, DB_PORT, DB_NAME, DB_USER,
  DB_PASSWORD: --database postgres://... (user and password URL-encoded). DB_SSLROOTCERT:
  --db-ssl-ca-file (DB_SSLMODE=require with it verifies the chain, as upstream's driver).
  DB_MAX_OPEN_CONNECTIONS: --db-pool-max. DB_ENABLE_AUTO_MIGRATION=false: --skip-migrations.
  AUTH_DISABLE=true: --auth none; AUTH_DISABLE=false: --auth kubernetes. LOGS_PATH:
  --logs-dir (with S3: the key prefix). LOG_LEVEL, DB_SSLMODE, TLS_PATH, TLS_MIN_VERSION,
  AUTH_IMPERSONATE, LOGS_API, LOGS_TYPE, LOGS_BUFFER_SIZE and S3_* are the same variables
  here. TLS_CIPHER_SUITES, TLS_CURVE_PREFERENCES, CONVERTER_ENABLE=true and LOGS_TYPE GCS,
  blob or Loki are refused; the others are ignored, with a warning when set to other than
  upstream's default.
  --help                                     print this text and exit
  --version                                  print the version and exit

Endpoints: gRPC/Connect services, REST under /apis/results.tekton.dev/,
GET /healthz (alive), GET /readyz (store reachable), GET /metrics (on --metrics-port
when given).
`;
