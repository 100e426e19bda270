/**
 * A certificate authority made for a test with `openssl`: a CA, and server
 * certificates it signs (for `localhost` and 127.0.0.1 by default), as PEM
 * files; also the bad ones a client must refuse (expired, self-signed, for
 * another host) and client certificates for mutual TLS.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A test CA: its files, and its certificate as PEM. */
export interface TestCa {
  name: string;
  certFile: string;
  keyFile: string;
  pem: string;
}

/** A certificate signed by a {@link TestCa}. */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Serial number, hex upper case, as Node's `getPeerCertificate().serialNumber` says it. */
  serial: string;
}

/** `openssl req` arguments for a new P-256 key, unencrypted. */
const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** Make a CA in `dir` (`<name>.crt`, `<name>.key`). */
export function makeCa(dir: string, name = "ca"): TestCa {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  openssl(
    [
      "req",
      "-x509",
      ...NEW_EC_KEY,
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      `/CN=Test CA ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  return { name, certFile, keyFile, pem: readFileSync(certFile, "utf8") };
}

let nextSerial = 0x1000;

/** Options of {@link issueCertificate}. */
export interface IssueOptions {
  /** The names it holds, as `subjectAltName` entries. Default `DNS:localhost`, `IP:127.0.0.1`. */
  altNames?: string[];
  /** A certificate for a client (`extendedKeyUsage=clientAuth`) rather than a server. */
  client?: boolean;
  /** Valid only on 1 and 2 January 2020: expired (signed with `openssl ca -startdate/-enddate`). */
  expired?: boolean;
}

/** Sign `csr` by `ca` with `extFile` and `serial` for 1 and 2 January 2020, with `openssl ca`. */
function signExpired(
  ca: TestCa,
  dir: string,
  csr: string,
  ext: string,
  serial: string,
  out: string,
): void {
  const db = join(dir, `${ca.name}-ca-db`);
  if (!existsSync(db)) mkdirSync(db);
  const index = join(db, "index.txt");
  if (!existsSync(index)) writeFileSync(index, "");
  writeFileSync(join(db, "serial"), `${serial}\n`);
  const config = join(db, "ca.cnf");
  writeFileSync(
    config,
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `database = ${index}`,
      `new_certs_dir = ${db}`,
      `serial = ${join(db, "serial")}`,
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "[any]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  openssl(
    [
      "ca",
      "-batch",
      "-notext",
      "-config",
      config,
      "-cert",
      ca.certFile,
      "-keyfile",
      ca.keyFile,
      "-in",
      csr,
      "-out",
      out,
      "-extfile",
      ext,
      "-startdate",
      "20200101000000Z",
      "-enddate",
      "20200102000000Z",
    ],
    dir,
  );
}

/** The files of a certificate just made, and their PEM text. */
function issued(certFile: string, keyFile: string, serial: string): IssuedCertificate {
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile, "utf8"),
    key: readFileSync(keyFile, "utf8"),
    serial,
  };
}

/**
 * Issue a certificate signed by `ca` (a server's for `localhost` and
 * 127.0.0.1 unless `options` say otherwise), written to `<dir>/<name>.crt`
 * and `<dir>/<name>.key`, with a serial no other certificate of this
 * process has.
 */
export function issueCertificate(
  ca: TestCa,
  dir: string,
  name = "server",
  options: IssueOptions = {},
): IssuedCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const altNames = options.altNames ?? ["DNS:localhost", "IP:127.0.0.1"];
  writeFileSync(
    ext,
    [
      `subjectAltName=${altNames.join(",")}`,
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${options.client ? "clientAuth" : "serverAuth"}`,
      "",
    ].join("\n"),
  );
  const cn = options.client ? name : (altNames[0]?.replace(/^\w+:/, "") ?? "localhost");
  openssl(["req", ...NEW_EC_KEY, "-keyout", keyFile, "-out", csr, "-subj", `/CN=${cn}`], dir);
  const serial = (nextSerial++).toString(16).toUpperCase();
  if (options.expired) {
    signExpired(ca, dir, csr, ext, serial, certFile);
  } else {
    openssl(
      [
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca.certFile,
        "-CAkey",
        ca.keyFile,
        "-set_serial",
        `0x${serial}`,
        "-days",
        "1",
        "-extfile",
        ext,
        "-out",
        certFile,
      ],
      dir,
    );
  }
  return issued(certFile, keyFile, serial);
}

/**
 * A self-signed server certificate for `localhost` and 127.0.0.1 (signed by
 * its own key, no CA), written to `<dir>/<name>.crt` and `<dir>/<name>.key`.
 */
export function selfSignedCertificate(dir: string, name = "self-signed"): IssuedCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const serial = (nextSerial++).toString(16).toUpperCase();
  openssl(
    [
      "req",
      "-x509",
      ...NEW_EC_KEY,
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-set_serial",
      `0x${serial}`,
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    dir,
  );
  return issued(certFile, keyFile, serial);
}
