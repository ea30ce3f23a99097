package dev.trellis.render;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs an Envoy Lua HTTP filter script's {@code envoy_on_request} or {@code envoy_on_response} on
 * the JVM (LuaJ) against stand-ins for the objects Envoy hands it, so tests exercise the script's
 * real text.
 *
 * <p>Emulated after Envoy's Lua filter documentation and its wrapper sources:
 *
 * <ul>
 *   <li>{@code handle:headers()}: {@code add}, {@code get} (repeated values joined with ","),
 *       {@code getAtIndex} (0-based; nil past the end and for an empty value), {@code
 *       getNumValues}, {@code remove} (every value), {@code replace} (removes every value, then
 *       adds one, as Envoy's setCopy does today) and iteration with {@code pairs}. Keys are
 *       lower-cased. Modifying while an iteration is unfinished fails, also after a {@code break}.
 *   <li>{@code handle:metadata()}: {@code get} and {@code pairs} over the route's filter metadata
 *       entry for the Lua filter, converted like Envoy converts a protobuf Struct (lists become
 *       1-based tables, numbers are doubles, null is nil).
 *   <li>{@code handle:streamInfo():dynamicMetadata()}: {@code get}, {@code set} (Lua values
 *       converted back as Envoy does: a table with keys 1..n is a list, otherwise a struct with
 *       string keys) and {@code pairs}.
 *   <li>{@code handle:logTrace/logDebug/logInfo/logWarn/logErr/logCritical}, captured.
 * </ul>
 *
 * Other handle methods Envoy has raise a Lua error naming them, so a script that starts using more
 * of the API fails here instead of passing silently. As in Envoy, the script is loaded once and its
 * globals outlive a response (one worker's Lua state), each request or response runs its function
 * as a coroutine, the handle objects die when it ends, and methods check their receiver (a {@code
 * .} call instead of {@code :} fails).
 *
 * <p>LuaJ implements Lua 5.2 where Envoy runs LuaJIT (5.1 with some 5.2 extensions). The harness
 * gives {@code pairs} the {@code __pairs} metamethod, as Envoy's LuaJIT build has, and removes the
 * LuaJ-only {@code luajava} and the 5.2-only {@code bit32}; the rest of the gap is the script's to
 * avoid.
 *
 * <p>The route metadata a test passes is the value under {@code
 * metadata.filter_metadata["envoy.filters.http.lua"]} of the matched route; for the cookie monitor
 * it is {@link CookieMonitor#routeMetadata}, whose Javadoc shows the YAML the edge template
 * renders.
 */
final class EnvoyLuaHarness {

  record Header(String key, String value) {}

  enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERR,
    CRITICAL
  }

  record LogLine(LogLevel level, String message) {}

  /** What a request or response looked like after the script ran. */
  record Outcome(
      List<Header> headers, List<LogLine> logs, Map<String, Map<String, Object>> dynamicMetadata) {

    List<String> values(String key) {
      return headers.stream().filter(h -> h.key().equals(key)).map(Header::value).toList();
    }

    List<Header> headersExcept(String key) {
      return headers.stream().filter(h -> !h.key().equals(key)).toList();
    }

    List<String> logs(LogLevel level) {
      return logs.stream().filter(l -> l.level() == level).map(LogLine::message).toList();
    }
  }

  /** A Lua error raised by the script, or by an emulated Envoy object on the script's behalf. */
  static final class ScriptError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScriptError(String message) {
      super(message);
    }
  }

  private static final List<String> HANDLE_METHODS_NOT_EMULATED =
      List.of(
          "body",
          "bodyChunks",
          "trailers",
          "httpCall",
          "respond",
          "connection",
          "connectionStreamInfo",
          "setUpstreamOverrideHost",
          "clearRouteCache",
          "filterContext",
          "importPublicKey",
          "verifySignature",
          "base64Escape",
          "timestamp",
          "timestampString",
          "route",
          "virtualHost");

  private final Globals globals;
  private final LuaValue onResponse;
  private final LuaValue onRequest;

  EnvoyLuaHarness(String script, String chunkName) {
    globals = JsePlatform.standardGlobals();
    globals.set("luajava", LuaValue.NIL);
    globals.set("bit32", LuaValue.NIL);
    globals.set("pairs", new PairsWithMetamethod(globals.get("pairs")));
    globals.load(script, chunkName).call();
    onResponse = globals.get("envoy_on_response");
    onRequest = globals.get("envoy_on_request");
    if (!onResponse.isfunction() && !onRequest.isfunction()) {
      throw new IllegalArgumentException(
          chunkName + " defines neither envoy_on_request nor envoy_on_response");
    }
  }

  /**
   * Runs {@code envoy_on_request} for one request.
   *
   * @param routeMetadata the matched route's filter metadata entry for the Lua filter
   * @throws ScriptError if the script raised an error
   */
  Outcome onRequest(List<Header> requestHeaders, Map<String, ?> routeMetadata) {
    return run(onRequest, "envoy_on_request", requestHeaders, routeMetadata);
  }

  /**
   * Runs {@code envoy_on_response} for one response.
   *
   * @param routeMetadata the matched route's filter metadata entry for the Lua filter
   * @throws ScriptError if the script raised an error
   */
  Outcome onResponse(List<Header> responseHeaders, Map<String, ?> routeMetadata) {
    return run(onResponse, "envoy_on_response", responseHeaders, routeMetadata);
  }

  private Outcome run(
      LuaValue function, String functionName, List<Header> input, Map<String, ?> routeMetadata) {
    if (!function.isfunction()) {
      throw new IllegalStateException("the script defines no " + functionName + " function");
    }
    Scope scope = new Scope();
    HeaderMap headers = new HeaderMap(input);
    List<LogLine> logs = new ArrayList<>();
    Map<String, Map<String, Object>> dynamicMetadata = new LinkedHashMap<>();

    LuaValue headersObject = headers.object(scope);
    LuaValue metadataObject = metadataObject(scope, routeMetadata);
    LuaValue dynamicMetadataObject = dynamicMetadataObject(scope, dynamicMetadata);
    LuaValue streamInfoObject =
        object(
            "StreamInfo",
            scope,
            Map.of("dynamicMetadata", args -> dynamicMetadataObject),
            null,
            List.of(
                "protocol",
                "routeName",
                "virtualClusterName",
                "downstreamLocalAddress",
                "downstreamRemoteAddress",
                "downstreamDirectRemoteAddress",
                "downstreamDirectLocalAddress",
                "downstreamSslConnection",
                "requestedServerName",
                "dynamicTypedMetadata",
                "filterState"));

    Map<String, Method> handleMethods = new LinkedHashMap<>();
    handleMethods.put("headers", args -> headersObject);
    handleMethods.put("metadata", args -> metadataObject);
    handleMethods.put("streamInfo", args -> streamInfoObject);
    for (LogLevel level : LogLevel.values()) {
      String name =
          "log" + level.name().charAt(0) + level.name().substring(1).toLowerCase(Locale.ROOT);
      handleMethods.put(
          name,
          args -> {
            logs.add(new LogLine(level, args.checkjstring(1)));
            return LuaValue.NONE;
          });
    }
    LuaValue handle =
        object("StreamHandle", scope, handleMethods, null, HANDLE_METHODS_NOT_EMULATED);

    LuaThread coroutine = new LuaThread(globals, function);
    Varargs result = coroutine.resume(handle);
    scope.close();
    if (!result.arg1().toboolean()) {
      throw new ScriptError(result.arg(2).tojstring());
    }
    if (!"dead".equals(coroutine.getStatus())) {
      throw new IllegalStateException(
          functionName + " yielded; the harness emulates no call that waits");
    }
    return new Outcome(
        List.copyOf(headers.entries),
        List.copyOf(logs),
        Collections.unmodifiableMap(dynamicMetadata));
  }

  /** One method of an emulated Envoy object; {@code args} exclude the receiver. */
  @FunctionalInterface
  private interface Method {
    Varargs call(Varargs args);
  }

  /** The lifetime of one response's handle objects; Envoy fails calls on them after it ends. */
  private static final class Scope {
    private boolean open = true;

    void check() {
      if (!open) {
        throw new LuaError("object used outside of proper scope");
      }
    }

    void close() {
      open = false;
    }
  }

  /**
   * A userdata whose metatable indexes {@code methods}, as Envoy exposes its wrappers. Each method
   * checks its receiver and the scope first; {@code notEmulated} names Envoy methods that fail.
   */
  private static LuaUserdata object(
      String type,
      Scope scope,
      Map<String, Method> methods,
      Method pairs,
      List<String> notEmulated) {
    LuaTable index = new LuaTable();
    LuaTable metatable = new LuaTable();
    LuaUserdata self = new LuaUserdata(type, metatable);
    methods.forEach((name, method) -> index.set(name, bound(self, type, name, scope, method)));
    for (String name : notEmulated) {
      index.set(
          name,
          bound(
              self,
              type,
              name,
              scope,
              args -> {
                throw new LuaError(type + ":" + name + "() is not emulated by the test harness");
              }));
    }
    metatable.set(LuaValue.INDEX, index);
    if (pairs != null) {
      metatable.set("__pairs", bound(self, type, "__pairs", scope, pairs));
    }
    return self;
  }

  private static LuaValue bound(
      LuaUserdata self, String type, String methodName, Scope scope, Method method) {
    // Not "name": inside the anonymous LibFunction that would be LuaJ's own (null) field.
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        LuaValue receiver = args.arg1();
        if (!receiver.raweq(self)) {
          throw new LuaError(
              "bad argument #1 to '"
                  + methodName
                  + "' ("
                  + type
                  + " expected, got "
                  + receiver.typename()
                  + ")");
        }
        scope.check();
        return method.call(args.subargs(2));
      }
    };
  }

  /** An ordered header map with Envoy's semantics for repeated and lower-cased keys. */
  private static final class HeaderMap {
    final List<Header> entries = new ArrayList<>();
    private boolean iterating;

    HeaderMap(List<Header> initial) {
      initial.forEach(h -> entries.add(new Header(lower(h.key()), h.value())));
    }

    LuaUserdata object(Scope scope) {
      Map<String, Method> methods = new LinkedHashMap<>();
      methods.put("add", this::add);
      methods.put("get", this::get);
      methods.put("getAtIndex", this::getAtIndex);
      methods.put("getNumValues", this::getNumValues);
      methods.put("remove", this::remove);
      methods.put("replace", this::replace);
      return EnvoyLuaHarness.object(
          "HeaderMap", scope, methods, args -> pairs(), List.of("setHttp1ReasonPhrase"));
    }

    private Varargs add(Varargs args) {
      String key = args.checkjstring(1);
      String value = args.checkjstring(2);
      checkModifiable();
      entries.add(new Header(lower(key), value));
      return LuaValue.NONE;
    }

    private Varargs get(Varargs args) {
      List<String> values = values(args.checkjstring(1));
      return values.isEmpty() ? LuaValue.NONE : LuaValue.valueOf(String.join(",", values));
    }

    private Varargs getAtIndex(Varargs args) {
      List<String> values = values(args.checkjstring(1));
      int index = (int) args.checkdouble(2);
      if (index >= 0 && index < values.size() && !values.get(index).isEmpty()) {
        return LuaValue.valueOf(values.get(index));
      }
      return LuaValue.NONE;
    }

    private Varargs getNumValues(Varargs args) {
      return LuaValue.valueOf(values(args.checkjstring(1)).size());
    }

    private Varargs remove(Varargs args) {
      String key = lower(args.checkjstring(1));
      checkModifiable();
      entries.removeIf(h -> h.key().equals(key));
      return LuaValue.NONE;
    }

    private Varargs replace(Varargs args) {
      String key = lower(args.checkjstring(1));
      String value = args.checkjstring(2);
      checkModifiable();
      entries.removeIf(h -> h.key().equals(key));
      entries.add(new Header(key, value));
      return LuaValue.NONE;
    }

    private Varargs pairs() {
      if (iterating) {
        throw new LuaError("cannot create a second iterator before completing the first");
      }
      iterating = true;
      List<Header> snapshot = List.copyOf(entries);
      return new VarArgFunction() {
        private int next;

        @Override
        public Varargs invoke(Varargs args) {
          if (next == snapshot.size()) {
            iterating = false;
            return LuaValue.NONE;
          }
          Header header = snapshot.get(next++);
          return LuaValue.varargsOf(
              LuaValue.valueOf(header.key()), LuaValue.valueOf(header.value()));
        }
      };
    }

    private void checkModifiable() {
      if (iterating) {
        throw new LuaError("header map cannot be modified while iterating");
      }
    }

    private List<String> values(String key) {
      String lowered = lower(key);
      return entries.stream().filter(h -> h.key().equals(lowered)).map(Header::value).toList();
    }

    private static String lower(String key) {
      return key.toLowerCase(Locale.ROOT);
    }
  }

  private static LuaUserdata metadataObject(Scope scope, Map<String, ?> metadata) {
    Map<String, Object> fields = new LinkedHashMap<>(metadata);
    Method pairs =
        args -> {
          var iterator = fields.entrySet().iterator();
          return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs ignored) {
              if (!iterator.hasNext()) {
                return LuaValue.NONE;
              }
              var field = iterator.next();
              return LuaValue.varargsOf(LuaValue.valueOf(field.getKey()), toLua(field.getValue()));
            }
          };
        };
    return object(
        "Metadata",
        scope,
        Map.of(
            "get",
            args -> {
              String key = args.checkjstring(1);
              return fields.containsKey(key) ? toLua(fields.get(key)) : LuaValue.NONE;
            }),
        pairs,
        List.of());
  }

  private static LuaUserdata dynamicMetadataObject(
      Scope scope, Map<String, Map<String, Object>> namespaces) {
    boolean[] iterating = {false};
    Method pairs =
        args -> {
          if (iterating[0]) {
            throw new LuaError("cannot create a second iterator before completing the first");
          }
          iterating[0] = true;
          var iterator = List.copyOf(namespaces.entrySet()).iterator();
          return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs ignored) {
              if (!iterator.hasNext()) {
                iterating[0] = false;
                return LuaValue.NONE;
              }
              var namespace = iterator.next();
              return LuaValue.varargsOf(
                  LuaValue.valueOf(namespace.getKey()), toLua(namespace.getValue()));
            }
          };
        };
    Map<String, Method> methods = new LinkedHashMap<>();
    methods.put(
        "get",
        args -> {
          Map<String, Object> namespace = namespaces.get(args.checkjstring(1));
          return namespace == null ? LuaValue.NONE : toLua(namespace);
        });
    methods.put(
        "set",
        args -> {
          if (iterating[0]) {
            throw new LuaError("dynamic metadata map cannot be modified while iterating");
          }
          String filterName = args.checkjstring(1);
          String key = args.checkjstring(2);
          Object value = fromLua(args.arg(3));
          namespaces.computeIfAbsent(filterName, k -> new LinkedHashMap<>()).put(key, value);
          return LuaValue.NONE;
        });
    return object("DynamicMetadata", scope, methods, pairs, List.of());
  }

  /** Java to Lua as Envoy's MetadataMapHelper::setValue turns a protobuf Value into Lua. */
  static LuaValue toLua(Object value) {
    if (value == null) {
      return LuaValue.NIL;
    }
    if (value instanceof String s) {
      return LuaValue.valueOf(s);
    }
    if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        table.set(i + 1, toLua(list.get(i)));
      }
      return table;
    }
    if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> table.set(LuaValue.valueOf((String) k), toLua(v)));
      return table;
    }
    throw new IllegalArgumentException(
        "Not a protobuf Value kind: " + value.getClass().getName() + " " + value);
  }

  /** Lua to Java as Envoy's MetadataMapHelper::loadValue turns Lua into a protobuf Value. */
  static Object fromLua(LuaValue value) {
    switch (value.type()) {
      case LuaValue.TNIL:
        return null;
      case LuaValue.TNUMBER:
        return value.todouble();
      case LuaValue.TBOOLEAN:
        return value.toboolean();
      case LuaValue.TSTRING:
        return value.tojstring();
      case LuaValue.TTABLE:
        LuaTable table = (LuaTable) value;
        int length = listLength(table);
        if (length > 0) {
          List<Object> list = new ArrayList<>();
          for (int i = 1; i <= length; i++) {
            list.add(fromLua(table.rawget(i)));
          }
          return Collections.unmodifiableList(list);
        }
        Map<String, Object> struct = new LinkedHashMap<>();
        for (LuaValue key : table.keys()) {
          if (key.type() != LuaValue.TSTRING) {
            throw new LuaError(
                "unexpected type "
                    + key.typename()
                    + " in table key (only string keys are supported)");
          }
          struct.put(key.tojstring(), fromLua(table.rawget(key)));
        }
        return Collections.unmodifiableMap(struct);
      default:
        throw new LuaError("unexpected type '" + value.typename() + "' in dynamicMetadata");
    }
  }

  /** The largest key if every key is a whole number >= 1, 0 for an empty table, else -1. */
  private static int listLength(LuaTable table) {
    double max = 0;
    for (LuaValue key : table.keys()) {
      if (key.type() != LuaValue.TNUMBER) {
        return -1;
      }
      double k = key.todouble();
      if (Math.floor(k) != k || k < 1) {
        return -1;
      }
      max = Math.max(max, k);
    }
    return (int) max;
  }

  /** Lua 5.2's {@code pairs}, honouring {@code __pairs}, which LuaJ's pairs ignores. */
  private static final class PairsWithMetamethod extends VarArgFunction {
    private final LuaValue plainPairs;

    PairsWithMetamethod(LuaValue plainPairs) {
      this.plainPairs = plainPairs;
    }

    @Override
    public Varargs invoke(Varargs args) {
      LuaValue metatable = args.arg1().getmetatable();
      if (metatable != null) {
        LuaValue metamethod = metatable.rawget("__pairs");
        if (!metamethod.isnil()) {
          return metamethod.invoke(args.arg1());
        }
      }
      return plainPairs.invoke(args);
    }
  }
}
