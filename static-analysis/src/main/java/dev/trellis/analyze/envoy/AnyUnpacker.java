package dev.trellis.analyze.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens {@code google.protobuf.Any} values with a type registry. Types with generated classes are
 * parsed into them (through {@link Any#unpackSameTypeAs}, which caches the result inside the Any,
 * so other readers of the same config parse it only once); the rest become {@link DynamicMessage}s.
 * Thread-safe.
 */
final class AnyUnpacker {

  /** Why an Any could not be opened, phrased to follow "field 'x' ". */
  static final class Unresolved extends Exception {
    private static final long serialVersionUID = 1L;

    Unresolved(String phrase) {
      super(phrase, null, false, false);
    }
  }

  private final ConcurrentHashMap<Descriptor, Optional<Message>> prototypes =
      new ConcurrentHashMap<>();

  static String typeUrl(Message any) {
    if (any instanceof Any a) {
      return a.getTypeUrl();
    }
    return (String) any.getField(any.getDescriptorForType().findFieldByNumber(1));
  }

  private static ByteString value(Message any) {
    if (any instanceof Any a) {
      return a.getValue();
    }
    return (ByteString) any.getField(any.getDescriptorForType().findFieldByNumber(2));
  }

  Message unpack(Message any, TypeRegistry types) throws Unresolved {
    String url = typeUrl(any);
    if (url.isEmpty()) {
      throw new Unresolved("has no type_url");
    }
    int slash = url.lastIndexOf('/');
    if (slash < 0) {
      throw new Unresolved("has a malformed type_url '" + url + "' (no '/')");
    }
    Descriptor type = types.find(url.substring(slash + 1));
    if (type == null) {
      throw new Unresolved("holds type '" + url + "', which Trellis does not know");
    }
    Optional<Message> prototype = prototypes.computeIfAbsent(type, AnyUnpacker::generated);
    try {
      if (prototype.isPresent()) {
        if (any instanceof Any a) {
          return a.unpackSameTypeAs(prototype.get());
        }
        return prototype.get().getParserForType().parseFrom(value(any));
      }
      return DynamicMessage.parseFrom(type, value(any));
    } catch (InvalidProtocolBufferException e) {
      throw new Unresolved("holds bytes that do not parse as " + type.getFullName());
    }
  }

  /** The generated default instance for {@code type}, if its class is on the class path. */
  private static Optional<Message> generated(Descriptor type) {
    FileOptions options = type.getFile().getOptions();
    String pkg = options.hasJavaPackage() ? options.getJavaPackage() : type.getFile().getPackage();
    StringBuilder nested = new StringBuilder(type.getName());
    for (Descriptor d = type.getContainingType(); d != null; d = d.getContainingType()) {
      nested.insert(0, d.getName() + "$");
    }
    String name;
    if (options.getJavaMultipleFiles()) {
      name = pkg + "." + nested;
    } else if (options.hasJavaOuterClassname()) {
      name = pkg + "." + options.getJavaOuterClassname() + "$" + nested;
    } else {
      return Optional.empty();
    }
    try {
      Class<?> c = Class.forName(name, true, AnyUnpacker.class.getClassLoader());
      Message instance = (Message) c.getMethod("getDefaultInstance").invoke(null);
      // a descriptor built at run time is a different object: its messages must be dynamic
      return instance.getDescriptorForType() == type ? Optional.of(instance) : Optional.empty();
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      return Optional.empty();
    }
  }
}
