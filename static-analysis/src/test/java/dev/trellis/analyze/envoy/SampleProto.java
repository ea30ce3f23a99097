package dev.trellis.analyze.envoy;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.WrappersProto;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test proto, {@code trellis.test.Sample}, with one field per protoc-gen-validate rule kind the
 * Envoy API may use, built at run time, and a message that satisfies all of them.
 */
final class SampleProto {

  static final String PKG = "trellis.test";

  private final FileDescriptor file;

  private SampleProto(FileDescriptor file) {
    this.file = file;
  }

  /** The options carried as registered extensions, like the generated Envoy descriptors. */
  static SampleProto withExtensions() {
    return new SampleProto(build(fileProto()));
  }

  /**
   * The same proto after a round trip through bytes without the validate extension registry: every
   * rule sits in the options' unknown fields.
   */
  static SampleProto withUnknownFields() {
    try {
      FileDescriptorProto plain = FileDescriptorProto.parseFrom(fileProto().toByteArray());
      return new SampleProto(build(plain));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  Descriptor sample() {
    return file.findMessageTypeByName("Sample");
  }

  Descriptor type(String name) {
    return file.findMessageTypeByName(name);
  }

  FieldDescriptor field(String name) {
    return sample().findFieldByName(name);
  }

  DynamicMessage inner(String name) {
    Descriptor d = type("Inner");
    return DynamicMessage.newBuilder(d).setField(d.findFieldByName("name"), name).build();
  }

  /** A Sample that satisfies every rule. */
  DynamicMessage.Builder valid() {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(sample());
    Map<String, Object> v = new java.util.LinkedHashMap<>();
    v.put("f_float", 1.0f);
    v.put("f_double", 10.0);
    v.put("f_int32", -5);
    v.put("f_int64", 99L);
    v.put("f_uint32", 2);
    v.put("f_uint64", 8L);
    v.put("f_sint32", -1);
    v.put("f_sint64", 11L);
    v.put("f_fixed32", (int) 4_000_000_000L);
    v.put("f_fixed64", Long.MIN_VALUE + 1);
    v.put("f_sfixed32", 0);
    v.put("f_sfixed64", 0L);
    v.put("f_bool", true);
    v.put("s_len", "abc");
    v.put("s_min_len", "ab");
    v.put("s_max_len", "abc");
    v.put("s_len_bytes", "é");
    v.put("s_min_bytes", "abc");
    v.put("s_max_bytes", "ab");
    v.put("s_pattern", "abc");
    v.put("s_prefix", "abc");
    v.put("s_suffix", "xyz");
    v.put("s_contains", "a mid b");
    v.put("s_not_contains", "good");
    v.put("s_in", "x");
    v.put("s_not_in", "yes");
    v.put("s_const", "k");
    v.put("s_email", "ops@example.com");
    v.put("s_hostname", "ledger.prod.example.com");
    v.put("s_ip", "::1");
    v.put("s_ipv4", "10.0.0.1");
    v.put("s_ipv6", "fe80::1");
    v.put("s_uri", "https://example.com/x");
    v.put("s_uri_ref", "/relative/path");
    v.put("s_address", "ledger");
    v.put("s_uuid", "123e4567-e89b-12d3-a456-426614174000");
    v.put("s_header_name", "x-request-id");
    v.put("s_header_value", "text/plain; charset=utf-8");
    v.put("s_header_loose", "X Weird\tHeader");
    v.put("s_ignore_empty", "");
    v.put("b_len", bytes("ab"));
    v.put("b_min_len", bytes("ab"));
    v.put("b_max_len", bytes("ab"));
    v.put("b_pattern", bytes("abc"));
    v.put("b_prefix", bytes("abc"));
    v.put("b_suffix", bytes("xyz"));
    v.put("b_contains", bytes("a mid b"));
    v.put("b_in", bytes("x"));
    v.put("b_not_in", bytes("yes"));
    v.put("b_const", bytes("k"));
    v.put("b_ip", ByteString.copyFrom(new byte[16]));
    v.put("b_ipv4", ByteString.copyFrom(new byte[4]));
    v.put("b_ipv6", ByteString.copyFrom(new byte[16]));
    v.put("e_defined", enumValue(1));
    v.put("e_const", enumValue(1));
    v.put("e_in", enumValue(2));
    v.put("e_not_in", enumValue(1));
    v.put("m_required", inner("x"));
    v.put("m_skip", inner(""));
    v.put("m_nested", inner("x"));
    v.put("d_required", Durations.fromSeconds(5));
    v.put("d_gt", Durations.fromMillis(1001));
    v.put("d_lte", Durations.fromMillis(1500));
    v.put("d_in", Durations.fromSeconds(2));
    v.put("d_const", Durations.fromSeconds(3));
    v.put("d_range", Durations.fromMillis(1500));
    v.put("t_required", Timestamps.fromSeconds(2000));
    v.put("t_gt", Timestamps.fromSeconds(2000));
    v.put("a_required", com.google.protobuf.Any.pack(Durations.fromSeconds(1)));
    v.put("a_in", com.google.protobuf.Any.pack(Durations.fromSeconds(1)));
    v.put("a_not_in", com.google.protobuf.Any.pack(Durations.fromSeconds(1)));
    v.put("w_uint32", com.google.protobuf.UInt32Value.of(1));
    v.put("w_string", com.google.protobuf.StringValue.of("x"));
    v.put("r_min", List.of("a", "b"));
    v.put("r_max", List.of("a"));
    v.put("r_unique", List.of("a", "b"));
    v.put("r_items", List.of("a", "b"));
    v.put("r_msgs", List.of(inner("a"), inner("b")));
    v.put("c_a", "chosen");
    v.put("off", offMessage(""));
    v.forEach((name, value) -> b.setField(field(name), value));
    b.setField(field("map_min"), List.of(entry("map_min", "k", "v")));
    b.setField(field("map_max"), List.of(entry("map_max", "k", "v")));
    b.setField(field("map_keys"), List.of(entry("map_keys", "kk", "v")));
    b.setField(field("map_values"), List.of(entry("map_values", "k", "v")));
    b.setField(field("map_msgs"), List.of(entry("map_msgs", "k", inner("x"))));
    return b;
  }

  Object enumValue(int number) {
    return file.findEnumTypeByName("Color").findValueByNumberCreatingIfUnknown(number);
  }

  Message entry(String mapField, Object key, Object value) {
    Descriptor entry = field(mapField).getMessageType();
    return DynamicMessage.newBuilder(entry)
        .setField(entry.findFieldByNumber(1), key)
        .setField(entry.findFieldByNumber(2), value)
        .build();
  }

  DynamicMessage offMessage(String x) {
    Descriptor d = type("Off");
    return DynamicMessage.newBuilder(d).setField(d.findFieldByName("x"), x).build();
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  // ---- the descriptor ----

  private static FileDescriptor build(FileDescriptorProto proto) {
    try {
      return FileDescriptor.buildFrom(
          proto,
          new FileDescriptor[] {
            Validate.getDescriptor(),
            DurationProto.getDescriptor(),
            TimestampProto.getDescriptor(),
            AnyProto.getDescriptor(),
            WrappersProto.getDescriptor()
          });
    } catch (DescriptorValidationException e) {
      throw new AssertionError(e);
    }
  }

  private static FileDescriptorProto fileProto() {
    DescriptorProto.Builder sample = DescriptorProto.newBuilder().setName("Sample");
    List<FieldDescriptorProto> fields = new ArrayList<>();
    Fields f = new Fields(fields);
    f.scalar("f_float", Type.TYPE_FLOAT, "float { gt: 0.5 }");
    f.scalar("f_double", Type.TYPE_DOUBLE, "double { lte: 10 }");
    f.scalar("f_int32", Type.TYPE_INT32, "int32 { gte: -5 }");
    f.scalar("f_int64", Type.TYPE_INT64, "int64 { lt: 100 }");
    f.scalar("f_uint32", Type.TYPE_UINT32, "uint32 { in: [1, 2, 3] }");
    f.scalar("f_uint64", Type.TYPE_UINT64, "uint64 { not_in: [7] }");
    f.scalar("f_sint32", Type.TYPE_SINT32, "sint32 { const: -1 }");
    f.scalar("f_sint64", Type.TYPE_SINT64, "sint64 { gt: 10 lt: 5 }");
    f.scalar("f_fixed32", Type.TYPE_FIXED32, "fixed32 { lte: 4000000000 }");
    f.scalar("f_fixed64", Type.TYPE_FIXED64, "fixed64 { gt: 9223372036854775808 }");
    f.scalar("f_sfixed32", Type.TYPE_SFIXED32, "sfixed32 { gte: 0 }");
    f.scalar("f_sfixed64", Type.TYPE_SFIXED64, "sfixed64 { lte: 0 }");
    f.scalar("f_bool", Type.TYPE_BOOL, "bool { const: true }");
    f.scalar("s_len", Type.TYPE_STRING, "string { len: 3 }");
    f.scalar("s_min_len", Type.TYPE_STRING, "string { min_len: 2 }");
    f.scalar("s_max_len", Type.TYPE_STRING, "string { max_len: 3 }");
    f.scalar("s_len_bytes", Type.TYPE_STRING, "string { len_bytes: 2 }");
    f.scalar("s_min_bytes", Type.TYPE_STRING, "string { min_bytes: 3 }");
    f.scalar("s_max_bytes", Type.TYPE_STRING, "string { max_bytes: 2 }");
    f.scalar("s_pattern", Type.TYPE_STRING, "string { pattern: '^[a-z]+$' }");
    f.scalar("s_prefix", Type.TYPE_STRING, "string { prefix: 'ab' }");
    f.scalar("s_suffix", Type.TYPE_STRING, "string { suffix: 'yz' }");
    f.scalar("s_contains", Type.TYPE_STRING, "string { contains: 'mid' }");
    f.scalar("s_not_contains", Type.TYPE_STRING, "string { not_contains: 'bad' }");
    f.scalar("s_in", Type.TYPE_STRING, "string { in: ['x', 'y'] }");
    f.scalar("s_not_in", Type.TYPE_STRING, "string { not_in: ['no'] }");
    f.scalar("s_const", Type.TYPE_STRING, "string { const: 'k' }");
    f.scalar("s_email", Type.TYPE_STRING, "string { email: true }");
    f.scalar("s_hostname", Type.TYPE_STRING, "string { hostname: true }");
    f.scalar("s_ip", Type.TYPE_STRING, "string { ip: true }");
    f.scalar("s_ipv4", Type.TYPE_STRING, "string { ipv4: true }");
    f.scalar("s_ipv6", Type.TYPE_STRING, "string { ipv6: true }");
    f.scalar("s_uri", Type.TYPE_STRING, "string { uri: true }");
    f.scalar("s_uri_ref", Type.TYPE_STRING, "string { uri_ref: true }");
    f.scalar("s_address", Type.TYPE_STRING, "string { address: true }");
    f.scalar("s_uuid", Type.TYPE_STRING, "string { uuid: true }");
    f.scalar("s_header_name", Type.TYPE_STRING, "string { well_known_regex: HTTP_HEADER_NAME }");
    f.scalar("s_header_value", Type.TYPE_STRING, "string { well_known_regex: HTTP_HEADER_VALUE }");
    f.scalar(
        "s_header_loose",
        Type.TYPE_STRING,
        "string { well_known_regex: HTTP_HEADER_NAME strict: false }");
    f.scalar("s_ignore_empty", Type.TYPE_STRING, "string { min_len: 3 ignore_empty: true }");
    f.scalar("b_len", Type.TYPE_BYTES, "bytes { len: 2 }");
    f.scalar("b_min_len", Type.TYPE_BYTES, "bytes { min_len: 2 }");
    f.scalar("b_max_len", Type.TYPE_BYTES, "bytes { max_len: 2 }");
    f.scalar("b_pattern", Type.TYPE_BYTES, "bytes { pattern: '^[a-z]+$' }");
    f.scalar("b_prefix", Type.TYPE_BYTES, "bytes { prefix: 'ab' }");
    f.scalar("b_suffix", Type.TYPE_BYTES, "bytes { suffix: 'yz' }");
    f.scalar("b_contains", Type.TYPE_BYTES, "bytes { contains: 'mid' }");
    f.scalar("b_in", Type.TYPE_BYTES, "bytes { in: ['x'] }");
    f.scalar("b_not_in", Type.TYPE_BYTES, "bytes { not_in: ['no'] }");
    f.scalar("b_const", Type.TYPE_BYTES, "bytes { const: 'k' }");
    f.scalar("b_ip", Type.TYPE_BYTES, "bytes { ip: true }");
    f.scalar("b_ipv4", Type.TYPE_BYTES, "bytes { ipv4: true }");
    f.scalar("b_ipv6", Type.TYPE_BYTES, "bytes { ipv6: true }");
    f.enumField("e_defined", "enum { defined_only: true }");
    f.enumField("e_const", "enum { const: 1 }");
    f.enumField("e_in", "enum { in: [1, 2] }");
    f.enumField("e_not_in", "enum { not_in: [2] }");
    f.message("m_required", ".trellis.test.Inner", "message { required: true }");
    f.message("m_skip", ".trellis.test.Inner", "message { skip: true }");
    f.message("m_nested", ".trellis.test.Inner", "");
    f.message("d_required", ".google.protobuf.Duration", "duration { required: true }");
    f.message("d_gt", ".google.protobuf.Duration", "duration { gt { seconds: 1 } }");
    f.message(
        "d_lte", ".google.protobuf.Duration", "duration { lte { seconds: 1 nanos: 500000000 } }");
    f.message(
        "d_in", ".google.protobuf.Duration", "duration { in: [{ seconds: 1 }, { seconds: 2 }] }");
    f.message("d_const", ".google.protobuf.Duration", "duration { const { seconds: 3 } }");
    f.message(
        "d_range",
        ".google.protobuf.Duration",
        "duration { gte { seconds: 1 } lt { seconds: 2 } }");
    f.message("t_required", ".google.protobuf.Timestamp", "timestamp { required: true }");
    f.message("t_gt", ".google.protobuf.Timestamp", "timestamp { gt { seconds: 1000 } }");
    f.message("t_lt_now", ".google.protobuf.Timestamp", "timestamp { lt_now: true }");
    f.message("a_required", ".google.protobuf.Any", "any { required: true }");
    f.message(
        "a_in",
        ".google.protobuf.Any",
        "any { in: ['type.googleapis.com/google.protobuf.Duration'] }");
    f.message(
        "a_not_in",
        ".google.protobuf.Any",
        "any { not_in: ['type.googleapis.com/google.protobuf.Timestamp'] }");
    f.message("w_uint32", ".google.protobuf.UInt32Value", "uint32 { gte: 1 }");
    f.message("w_string", ".google.protobuf.StringValue", "string { min_len: 1 }");
    f.repeated("r_min", Type.TYPE_STRING, null, "repeated { min_items: 2 }");
    f.repeated("r_max", Type.TYPE_STRING, null, "repeated { max_items: 1 }");
    f.repeated("r_unique", Type.TYPE_STRING, null, "repeated { unique: true }");
    f.repeated("r_items", Type.TYPE_STRING, null, "repeated { items { string { min_len: 1 } } }");
    f.repeated("r_msgs", Type.TYPE_MESSAGE, ".trellis.test.Inner", "");
    f.repeated(
        "r_ignore_empty", Type.TYPE_STRING, null, "repeated { min_items: 2 ignore_empty: true }");
    f.map(sample, "map_min", Type.TYPE_STRING, null, "map { min_pairs: 1 }");
    f.map(sample, "map_max", Type.TYPE_STRING, null, "map { max_pairs: 1 }");
    f.map(sample, "map_keys", Type.TYPE_STRING, null, "map { keys { string { min_len: 2 } } }");
    f.map(sample, "map_values", Type.TYPE_STRING, null, "map { values { string { max_len: 1 } } }");
    f.map(sample, "map_msgs", Type.TYPE_MESSAGE, ".trellis.test.Inner", "");
    f.message("off", ".trellis.test.Off", "");
    int choice = 0;
    sample.addOneofDecl(
        OneofDescriptorProto.newBuilder()
            .setName("choice")
            .setOptions(OneofOptions.newBuilder().setExtension(Validate.required, true)));
    f.inOneof("c_a", Type.TYPE_STRING, choice);
    f.inOneof("c_b", Type.TYPE_INT32, choice);
    sample.addAllField(fields);

    DescriptorProto inner =
        DescriptorProto.newBuilder()
            .setName("Inner")
            .addField(
                Fields.field("name", 1, Type.TYPE_STRING, null, Label.LABEL_OPTIONAL)
                    .setOptions(options("string { min_len: 1 }")))
            .build();
    DescriptorProto off =
        DescriptorProto.newBuilder()
            .setName("Off")
            .setOptions(MessageOptions.newBuilder().setExtension(Validate.disabled, true))
            .addField(
                Fields.field("x", 1, Type.TYPE_STRING, null, Label.LABEL_OPTIONAL)
                    .setOptions(options("string { min_len: 1 }")))
            .build();
    return FileDescriptorProto.newBuilder()
        .setName("trellis/test/sample.proto")
        .setPackage(PKG)
        .setSyntax("proto3")
        .addDependency("validate/validate.proto")
        .addDependency("google/protobuf/duration.proto")
        .addDependency("google/protobuf/timestamp.proto")
        .addDependency("google/protobuf/any.proto")
        .addDependency("google/protobuf/wrappers.proto")
        .addMessageType(sample)
        .addMessageType(inner)
        .addMessageType(off)
        .addEnumType(
            com.google.protobuf.DescriptorProtos.EnumDescriptorProto.newBuilder()
                .setName("Color")
                .addValue(value("COLOR_UNSET", 0))
                .addValue(value("RED", 1))
                .addValue(value("GREEN", 2)))
        .build();
  }

  private static com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto value(
      String name, int number) {
    return com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .build();
  }

  /** FieldOptions carrying {@code rules}, written in protobuf text format. */
  static FieldOptions options(String rules) {
    try {
      FieldRules.Builder b = FieldRules.newBuilder();
      com.google.protobuf.TextFormat.merge(rules, b);
      return FieldOptions.newBuilder().setExtension(Validate.rules, b.build()).build();
    } catch (com.google.protobuf.TextFormat.ParseException e) {
      throw new AssertionError(rules, e);
    }
  }

  /** Builds the fields of Sample, numbering them in order. */
  private static final class Fields {
    private final List<FieldDescriptorProto> out;

    Fields(List<FieldDescriptorProto> out) {
      this.out = out;
    }

    static FieldDescriptorProto.Builder field(
        String name, int number, Type type, String typeName, Label label) {
      FieldDescriptorProto.Builder b =
          FieldDescriptorProto.newBuilder()
              .setName(name)
              .setNumber(number)
              .setType(type)
              .setLabel(label);
      if (typeName != null) {
        b.setTypeName(typeName);
      }
      return b;
    }

    private void add(FieldDescriptorProto.Builder b, String rules) {
      if (!rules.isEmpty()) {
        b.setOptions(options(rules));
      }
      out.add(b.build());
    }

    void scalar(String name, Type type, String rules) {
      add(field(name, out.size() + 1, type, null, Label.LABEL_OPTIONAL), rules);
    }

    void enumField(String name, String rules) {
      add(
          field(name, out.size() + 1, Type.TYPE_ENUM, ".trellis.test.Color", Label.LABEL_OPTIONAL),
          rules);
    }

    void message(String name, String typeName, String rules) {
      add(field(name, out.size() + 1, Type.TYPE_MESSAGE, typeName, Label.LABEL_OPTIONAL), rules);
    }

    void repeated(String name, Type type, String typeName, String rules) {
      add(field(name, out.size() + 1, type, typeName, Label.LABEL_REPEATED), rules);
    }

    void inOneof(String name, Type type, int oneof) {
      out.add(
          field(name, out.size() + 1, type, null, Label.LABEL_OPTIONAL)
              .setOneofIndex(oneof)
              .build());
    }

    /** A map field: a nested XEntry type with map_entry set, and a repeated field of it. */
    void map(
        DescriptorProto.Builder owner,
        String name,
        Type valueType,
        String valueTypeName,
        String rules) {
      String entry = camel(name) + "Entry";
      owner.addNestedType(
          DescriptorProto.newBuilder()
              .setName(entry)
              .setOptions(MessageOptions.newBuilder().setMapEntry(true))
              .addField(field("key", 1, Type.TYPE_STRING, null, Label.LABEL_OPTIONAL))
              .addField(field("value", 2, valueType, valueTypeName, Label.LABEL_OPTIONAL)));
      add(
          field(
              name,
              out.size() + 1,
              Type.TYPE_MESSAGE,
              ".trellis.test.Sample." + entry,
              Label.LABEL_REPEATED),
          rules);
    }

    private static String camel(String s) {
      StringBuilder b = new StringBuilder();
      for (String part : s.split("_")) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
      return b.toString();
    }
  }
}
