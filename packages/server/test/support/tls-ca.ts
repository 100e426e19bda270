/**
 * A certificate authority made for a test with `openssl`: a CA, and server
 * certificates it signs (for `localhost` and 127.0.0.1), as PEM files.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
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

/**
 * Issue a server certificate for `localhost` and 127.0.0.1 signed by `ca`,
 * written to `<dir>/<name>.crt` and `<dir>/<name>.key`, with a serial no
 * other certificate of this process has.
 */
export function issueCertificate(ca: TestCa, dir: string, name = "server"): IssuedCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    [
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "",
    ].join("\n"),
  );
  openssl(["req", ...NEW_EC_KEY, "-keyout", keyFile, "-out", csr, "-subj", "/CN=localhost"], dir);
  const serial = (nextSerial++).toString(16).toUpperCase();
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
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile, "utf8"),
    key: readFileSync(keyFile, "utf8"),
    serial,
  };
}
