package io.diffusion4j.diffusers;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A diffusers {@code scheduler_config.json}: {@code _class_name} and the fields, in file order, exactly
 * as written (numbers keep their JSON text, so writing the config back gives the same values). Fields
 * whose names start with an underscore ({@code _diffusers_version}) are metadata.
 *
 * <p>A scheduler reads the fields it understands through the typed getters, each with diffusers' class
 * default; every field no getter read is reported ({@link Reading#unread()}, {@link Scheduler#unknownFields()}),
 * never silently dropped, and still written back by {@link #toJson()}. Instances are immutable; the set
 * of read names is recorded per {@link Reading}.
 */
public final class SchedulerConfig {
    private final String className;
    private final Map<String, JsonElement> fields;

    private SchedulerConfig(String className, Map<String, JsonElement> fields) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("a scheduler config needs \"_class_name\" (for example \"DDIMScheduler\")");
        }
        this.className = className;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A config of {@code className} with the given fields (values as Java numbers, booleans, strings, lists or null). */
    public static SchedulerConfig of(String className, Map<String, ?> fields) {
        Map<String, JsonElement> f = new LinkedHashMap<>();
        fields.forEach((k, v) -> f.put(k, toJson(v)));
        return new SchedulerConfig(className, f);
    }

    /** Parses the JSON text of a {@code scheduler_config.json}. */
    public static SchedulerConfig parse(String json) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("a scheduler config must be a JSON object, got " + kind(e));
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        JsonElement name = o.get("_class_name");
        if (name == null || !name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("a scheduler config needs \"_class_name\" as a string (for example \"DDIMScheduler\")");
        }
        Map<String, JsonElement> f = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (!e.getKey().equals("_class_name")) {
                f.put(e.getKey(), e.getValue());
            }
        }
        return new SchedulerConfig(name.getAsString(), f);
    }

    /** Reads a {@code scheduler_config.json} file. */
    public static SchedulerConfig read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** diffusers' class name, e.g. {@code DPMSolverMultistepScheduler}. */
    public String className() {
        return className;
    }

    /** All fields except {@code _class_name}, in file order. */
    public Map<String, JsonElement> fields() {
        return fields;
    }

    /** This config with {@code name} set to {@code value} (added at the end when new). */
    public SchedulerConfig with(String name, Object value) {
        Map<String, JsonElement> f = new LinkedHashMap<>(fields);
        f.put(name, toJson(value));
        return new SchedulerConfig(className, f);
    }

    /** The config as diffusers writes it: {@code _class_name} first, then every field in order. */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", className);
        fields.forEach(o::add);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(o);
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson() + "\n", StandardCharsets.UTF_8);
    }

    /** Starts reading the fields; the reading remembers which names were read. */
    public Reading reading() {
        return new Reading();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchedulerConfig c && c.className.equals(className) && c.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return className.hashCode() * 31 + fields.hashCode();
    }

    @Override
    public String toString() {
        return className + fields;
    }

    /**
     * Typed access to the fields, each with diffusers' default for the class, recording what was read.
     * A present field of the wrong JSON type is an error naming the field, what it holds and what is
     * allowed; JSON {@code null} counts as absent (diffusers writes {@code null} for unset options).
     */
    public final class Reading {
        private final Set<String> read = new LinkedHashSet<>();

        private Reading() {}

        private JsonElement get(String name) {
            read.add(name);
            JsonElement e = fields.get(name);
            return e == null || e.isJsonNull() ? null : e;
        }

        /** Whether {@code name} is present and not null (marks it read). */
        public boolean has(String name) {
            return get(name) != null;
        }

        /** An integer field. */
        public int integer(String name, int otherwise) {
            JsonElement e = get(name);
            if (e == null) {
                return otherwise;
            }
            double v = number(e, name);
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(className + "." + name + " must be an integer, got " + e);
            }
            return (int) v;
        }

        /** A number field. */
        public double number(String name, double otherwise) {
            JsonElement e = get(name);
            return e == null ? otherwise : number(e, name);
        }

        /** A number field that may be absent (null when absent or JSON null). */
        public Double optionalNumber(String name) {
            JsonElement e = get(name);
            return e == null ? null : number(e, name);
        }

        /** A boolean field. */
        public boolean bool(String name, boolean otherwise) {
            JsonElement e = get(name);
            if (e == null) {
                return otherwise;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new IllegalArgumentException(className + "." + name + " must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        /** A string field. */
        public String string(String name, String otherwise) {
            JsonElement e = get(name);
            if (e == null) {
                return otherwise;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(className + "." + name + " must be a string, got " + e);
            }
            return e.getAsString();
        }

        /** A string field that must be one of {@code allowed}. */
        public String choice(String name, String otherwise, String... allowed) {
            String v = string(name, otherwise);
            for (String a : allowed) {
                if (a.equals(v)) {
                    return v;
                }
            }
            throw new IllegalArgumentException(className + "." + name + " = \"" + v + "\" is not supported; allowed: "
                    + String.join(", ", allowed));
        }

        /** Fails when {@code name} is present and not null: a diffusers option this port does not support. */
        public void unsupported(String name, String why) {
            JsonElement e = get(name);
            if (e != null && !(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && !e.getAsBoolean())) {
                throw new IllegalArgumentException(className + "." + name + " = " + e + " is not supported: " + why);
            }
        }

        /** Marks names as understood without reading them (diffusers options with no effect on sampling). */
        public void ignore(String... names) {
            read.addAll(List.of(names));
        }

        /** Fields present in the config that nothing read, in file order (metadata like {@code _diffusers_version} excluded). */
        public List<String> unread() {
            List<String> out = new ArrayList<>();
            for (String k : fields.keySet()) {
                if (!k.startsWith("_") && !read.contains(k)) {
                    out.add(k);
                }
            }
            return out;
        }

        private double number(JsonElement e, String name) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException(className + "." + name + " must be a number, got " + e);
            }
            return e.getAsDouble();
        }
    }

    private static JsonElement toJson(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        if (v instanceof JsonElement e) {
            return e;
        }
        if (v instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (v instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (v instanceof String s) {
            return new JsonPrimitive(s);
        }
        if (v instanceof List<?> list) {
            com.google.gson.JsonArray a = new com.google.gson.JsonArray();
            list.forEach(x -> a.add(toJson(x)));
            return a;
        }
        throw new IllegalArgumentException("a config value must be a number, boolean, string, list or null, got " + v.getClass().getSimpleName());
    }

    private static String kind(JsonElement e) {
        return e.isJsonArray() ? "an array" : e.isJsonNull() ? "null" : "a " + (e.isJsonPrimitive() ? "value" : "structure");
    }
}
