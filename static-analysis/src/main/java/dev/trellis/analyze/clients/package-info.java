/**
 * The xDS clients Trellis serves and what each does with the config it renders: the capability
 * model ({@link dev.trellis.analyze.clients.Capabilities}, data in {@code capabilities.yaml}), the
 * features a rendered resource uses, and the check that reports config a group's clients reject or
 * ignore (TRL501, TRL502).
 */
package dev.trellis.analyze.clients;
