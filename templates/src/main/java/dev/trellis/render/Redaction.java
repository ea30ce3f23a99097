package dev.trellis.render;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import udpa.annotations.Sensitive;

/**
 * Hides secrets in config before it is shown, as Envoy's own config dump does ({@code
 * MessageUtil::redact}): every field marked {@code udpa.annotations.sensitive} in Envoy's protos (a
 * TLS certificate's private key and password, session ticket keys, generic secrets, ...) has its
 * strings and bytes replaced by {@value #REDACTED} and its other scalars cleared, through the whole
 * sub-message under such a field; {@code typed_config}s are opened with {@link EnvoyTypes} and
 * redacted inside. Bytes print as the base64 of {@value #REDACTED} ({@code W3JlZGFjdGVkXQ==}), as
 * in Envoy's dump.
 */
public final class Redaction {

  /** What a sensitive string or bytes value is replaced with. */
  public static final String REDACTED = "[redacted]";

  private static final ByteString REDACTED_BYTES = ByteString.copyFromUtf8(REDACTED);

  /** Field number of udpa.annotations.sensitive, for options read without its extension. */
  private static final int SENSITIVE = 76569463;

  private static final String ANY = "google.protobuf.Any";

  private Redaction() {}

  /** The message with every sensitive field redacted (the same instance if it has none set). */
  @SuppressWarnings("unchecked")
  public static <M extends Message> M redact(M message) {
    return (M) redact(message, false);
  }

  /** The group with every resource redacted. */
  public static RenderedGroup redact(RenderedGroup group) {
    return new RenderedGroup(
        group.group(),
        group.resources().stream()
            .map(r -> new RenderedResource(r.type(), r.name(), redact(r.proto()), r.origin()))
            .toList());
  }

  /** The mesh with every group redacted. */
  public static RenderedMesh redact(RenderedMesh mesh) {
    SortedMap<String, RenderedGroup> groups = new TreeMap<>();
    mesh.groups().forEach((id, g) -> groups.put(id, redact(g)));
    return new RenderedMesh(mesh.mesh(), groups, mesh.state());
  }

  static boolean sensitive(FieldDescriptor field) {
    if (field.getOptions().hasExtension(Sensitive.sensitive)) {
      return field.getOptions().getExtension(Sensitive.sensitive);
    }
    UnknownFieldSet unknown = field.getOptions().getUnknownFields();
    if (!unknown.hasField(SENSITIVE)) {
      return false;
    }
    List<Long> values = unknown.getField(SENSITIVE).getVarintList();
    return !values.isEmpty() && values.get(values.size() - 1) != 0;
  }

  private static Message redact(Message message, boolean sensitive) {
    if (message.getDescriptorForType().getFullName().equals(ANY)) {
      return redactAny(message, sensitive);
    }
    Message.Builder builder = null;
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      boolean hidden = sensitive || sensitive(field);
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (field.isRepeated()) {
          List<?> items = (List<?>) e.getValue();
          for (int i = 0; i < items.size(); i++) {
            Message item = (Message) items.get(i);
            Message redacted =
                field.isMapField() ? redactMapValue(item, hidden) : redact(item, hidden);
            if (redacted != item) {
              builder = builder != null ? builder : message.toBuilder();
              builder.setRepeatedField(field, i, redacted);
            }
          }
        } else {
          Message item = (Message) e.getValue();
          Message redacted = redact(item, hidden);
          if (redacted != item) {
            builder = builder != null ? builder : message.toBuilder();
            builder.setField(field, redacted);
          }
        }
      } else if (hidden) {
        builder = builder != null ? builder : message.toBuilder();
        Object replacement = replacement(field);
        if (replacement == null) {
          builder.clearField(field);
        } else if (field.isRepeated()) {
          for (int i = 0; i < builder.getRepeatedFieldCount(field); i++) {
            builder.setRepeatedField(field, i, replacement);
          }
        } else {
          builder.setField(field, replacement);
        }
      }
    }
    return builder == null ? message : builder.build();
  }

  /** A map entry with its value redacted; keys are names, shown as Envoy shows them. */
  private static Message redactMapValue(Message entry, boolean sensitive) {
    FieldDescriptor value = entry.getDescriptorForType().findFieldByName("value");
    if (value.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Message item = (Message) entry.getField(value);
      Message redacted = redact(item, sensitive);
      return redacted == item ? entry : entry.toBuilder().setField(value, redacted).build();
    }
    if (!sensitive) {
      return entry;
    }
    Object replacement = replacement(value);
    Message.Builder b = entry.toBuilder();
    return (replacement == null ? b.clearField(value) : b.setField(value, replacement)).build();
  }

  private static Object replacement(FieldDescriptor field) {
    return switch (field.getType()) {
      case STRING -> REDACTED;
      case BYTES -> REDACTED_BYTES;
      default -> null;
    };
  }

  /** An {@code Any} redacted inside; one of a type Trellis does not know is left as it is. */
  private static Message redactAny(Message any, boolean sensitive) {
    Descriptor type = any.getDescriptorForType();
    FieldDescriptor url = type.findFieldByNumber(1);
    FieldDescriptor value = type.findFieldByNumber(2);
    String typeUrl = (String) any.getField(url);
    Descriptor packed = EnvoyTypes.registry().find(typeUrl.substring(typeUrl.lastIndexOf('/') + 1));
    if (packed == null) {
      return any;
    }
    Message inside;
    try {
      inside = DynamicMessage.parseFrom(packed, (ByteString) any.getField(value));
    } catch (InvalidProtocolBufferException e) {
      return any;
    }
    Message redacted = redact(inside, sensitive);
    return redacted == inside
        ? any
        : any.toBuilder().setField(value, redacted.toByteString()).build();
  }
}
