package dev.trellis.analyze.envoy;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofOptions;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.util.List;
import java.util.Optional;

/**
 * Reads the protoc-gen-validate options ({@code validate.rules}, {@code validate.required}, {@code
 * validate.disabled}, {@code validate.ignored}). The generated Envoy descriptors carry them as
 * registered extensions; descriptors built without the extension registry (e.g. from a descriptor
 * set at run time) keep them as unknown fields, which are parsed here with the same {@link
 * FieldRules} type.
 */
final class PgvOptions {

  /** Field number of validate.rules, validate.required and validate.disabled. */
  static final int RULES = 1071;

  /** Field number of validate.ignored. */
  static final int IGNORED = 1072;

  private PgvOptions() {}

  static Optional<FieldRules> rules(FieldOptions options) {
    if (options.hasExtension(Validate.rules)) {
      return Optional.of(options.getExtension(Validate.rules));
    }
    List<ByteString> raw = unknown(options.getUnknownFields(), RULES).getLengthDelimitedList();
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    FieldRules.Builder rules = FieldRules.newBuilder();
    try {
      for (ByteString bytes : raw) {
        rules.mergeFrom(bytes);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed validate.rules option: " + e.getMessage(), e);
    }
    return Optional.of(rules.build());
  }

  static boolean oneofRequired(OneofOptions options) {
    if (options.hasExtension(Validate.required)) {
      return options.getExtension(Validate.required);
    }
    return lastBool(options.getUnknownFields(), RULES);
  }

  /** Whether validation of the message is switched off ({@code disabled} or {@code ignored}). */
  static boolean disabled(MessageOptions options) {
    if (options.hasExtension(Validate.disabled) || options.hasExtension(Validate.ignored)) {
      return options.getExtension(Validate.disabled) || options.getExtension(Validate.ignored);
    }
    return lastBool(options.getUnknownFields(), RULES)
        || lastBool(options.getUnknownFields(), IGNORED);
  }

  private static boolean lastBool(UnknownFieldSet fields, int number) {
    List<Long> values = unknown(fields, number).getVarintList();
    return !values.isEmpty() && values.get(values.size() - 1) != 0;
  }

  private static UnknownFieldSet.Field unknown(UnknownFieldSet fields, int number) {
    return fields.hasField(number)
        ? fields.getField(number)
        : UnknownFieldSet.Field.getDefaultInstance();
  }
}
