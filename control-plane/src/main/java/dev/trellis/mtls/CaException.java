package dev.trellis.mtls;

/** A CA root that cannot be read or used, with a message naming the file or certificate. */
public final class CaException extends Exception {
  private static final long serialVersionUID = 1L;

  public CaException(String message) {
    super(message);
  }

  public CaException(String message, Throwable cause) {
    super(message, cause);
  }
}
