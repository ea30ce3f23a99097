package dev.trellis.mtls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM encoding of keys and certificates in the forms Envoy and grpc's file_watcher read. */
final class Pem {
  private Pem() {}

  /**
   * PKCS#8 ({@code BEGIN PRIVATE KEY}): grpc-java's file_watcher provider reads only this form, and
   * Envoy reads it too. The JDK's {@link PrivateKey#getEncoded()} is PKCS#8 for EC and RSA keys.
   */
  static String privateKey(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("private key is encoded as " + key.getFormat());
    }
    return encode(List.of(new PemObject("PRIVATE KEY", key.getEncoded())));
  }

  static String certificates(List<X509Certificate> certificates) {
    try {
      PemObject[] objects = new PemObject[certificates.size()];
      for (int i = 0; i < objects.length; i++) {
        objects[i] = new PemObject("CERTIFICATE", certificates.get(i).getEncoded());
      }
      return encode(List.of(objects));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  private static String encode(List<PemObject> objects) {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      for (PemObject object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }
}
