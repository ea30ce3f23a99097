package dev.trellis.render;

import com.google.protobuf.Message;

/** One Envoy resource of a group's config, with the template and definition it came from. */
public record RenderedResource(ResourceType type, String name, Message proto, Origin origin) {}
