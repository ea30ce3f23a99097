package dev.trellis.admin;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves the message types behind {@code Any} type URLs (typed configs) to the generated classes
 * of java-control-plane's API jar, so JSON dumps show typed configs field by field.
 */
final class EnvoyTypes {

  /** Proto package prefix → Java package prefix, as the API jar's java_package options map them. */
  private static final List<Map.Entry<String, String>> PACKAGES =
      List.of(
          Map.entry("envoy.", "io.envoyproxy.envoy."),
          Map.entry("xds.", "com.github.xds."),
          Map.entry("udpa.", "com.github.udpa.udpa."),
          Map.entry("google.protobuf.", "com.google.protobuf."));

  /** Default instances by full type name (empty: not in the API jar). */
  private final Map<String, Optional<Message>> byName = new ConcurrentHashMap<>();

  /** A registry holding every type packed (at any depth) into these messages. */
  JsonFormat.TypeRegistry registryFor(Collection<? extends Message> messages) {
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    for (Message m : messages) {
      registry.add(m.getDescriptorForType());
      collect(m, registry);
    }
    return registry.build();
  }

  private void collect(Message message, JsonFormat.TypeRegistry.Builder registry) {
    if (message instanceof Any any) {
      Optional<Message> type = resolve(any.getTypeUrl());
      if (type.isPresent()) {
        registry.add(type.get().getDescriptorForType());
        unpack(any, type.get()).ifPresent(inner -> collect(inner, registry));
      }
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.getValue() instanceof List<?> list) {
        for (Object element : list) {
          collect((Message) element, registry);
        }
      } else {
        collect((Message) field.getValue(), registry);
      }
    }
  }

  private static Optional<Message> unpack(Any any, Message type) {
    try {
      return Optional.of(type.getParserForType().parseFrom(any.getValue()));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  /** The generated type behind a type URL, as its default instance. */
  Optional<Message> resolve(String typeUrl) {
    String name = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    return byName.computeIfAbsent(name, EnvoyTypes::load);
  }

  private static Optional<Message> load(String fullName) {
    for (Map.Entry<String, String> p : PACKAGES) {
      if (!fullName.startsWith(p.getKey())) {
        continue;
      }
      String className = p.getValue() + fullName.substring(p.getKey().length());
      // Nested messages are inner classes: try Outer.Inner as Outer$Inner, innermost first.
      while (true) {
        Optional<Message> d = defaultInstance(className);
        if (d.isPresent()) {
          return d;
        }
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
          return Optional.empty();
        }
        className = className.substring(0, dot) + '$' + className.substring(dot + 1);
      }
    }
    return Optional.empty();
  }

  private static Optional<Message> defaultInstance(String className) {
    try {
      Class<?> c = Class.forName(className, true, EnvoyTypes.class.getClassLoader());
      if (!Message.class.isAssignableFrom(c)) {
        return Optional.empty();
      }
      return Optional.of((Message) c.getMethod("getDefaultInstance").invoke(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      return Optional.empty();
    }
  }
}
