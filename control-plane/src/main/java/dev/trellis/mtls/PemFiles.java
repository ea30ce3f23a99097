package dev.trellis.mtls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The on-disk layout of certificates.
 *
 * <p>A workload directory holds {@value #KEY} (PKCS#8 private key), {@value #CHAIN} (leaf then
 * intermediates) and {@value #CA} (trust bundle): the three files grpc's {@code file_watcher}
 * certificate provider reads ({@code private_key_file}, {@code certificate_file}, {@code
 * ca_certificate_file}), and Envoy can read them too. A CA directory holds {@value #ROOT_CERT} and
 * {@value #ROOT_KEY}. Each file is replaced atomically; private keys are readable by the owner
 * only.
 */
public final class PemFiles {

  public static final String KEY = "key.pem";
  public static final String CHAIN = "cert.pem";
  public static final String CA = "ca.pem";
  public static final String ROOT_CERT = "ca.crt";
  public static final String ROOT_KEY = "ca.key";

  private PemFiles() {}

  /** Writes {@value #KEY}, {@value #CHAIN} and {@value #CA} into {@code dir}, creating it. */
  public static void writeWorkload(IssuedCertificate certificate, Path dir) throws IOException {
    Files.createDirectories(dir);
    // Key first: a reader that sees the new chain also finds the new key.
    write(dir.resolve(KEY), certificate.privateKeyPem(), true);
    write(dir.resolve(CHAIN), certificate.chainPem(), false);
    write(dir.resolve(CA), certificate.trustBundlePem(), false);
  }

  /** Writes {@value #ROOT_CERT} and {@value #ROOT_KEY} into {@code dir}, creating it. */
  public static void writeRoot(RootCa root, Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir.resolve(ROOT_KEY), root.privateKeyPem(), true);
    write(dir.resolve(ROOT_CERT), root.certificatePem(), false);
  }

  /** Reads the root in {@code dir} ({@value #ROOT_CERT} and {@value #ROOT_KEY}). */
  public static RootCa readRoot(Path dir) throws CaException {
    return RootCa.readPem(dir.resolve(ROOT_CERT), dir.resolve(ROOT_KEY));
  }

  private static void write(Path target, String content, boolean secret) throws IOException {
    // createTempFile makes the file owner-only on POSIX systems before any byte is written.
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      if (!secret && Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
