package dev.trellis.render;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.beans.FeatureDescriptor;
import java.util.Iterator;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Calls the {@code q} filter directly. Jinjava would find its {@code filter} method by reflection
 * on every use, and {@code q} is used on nearly every value of every template: this makes it as
 * cheap as a plain {@code {{ value }}}.
 */
final class QuoteResolver extends ELResolver {

  private static final String METHOD = "filter";

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    if (base instanceof QuoteFilter && METHOD.equals(property)) {
      // Not a property: say so without the exception the bean resolver would throw.
      context.setPropertyResolved(true);
    }
    return null;
  }

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    // Jinjava passes (value, interpreter, positional args, named args).
    if (base instanceof QuoteFilter q
        && METHOD.equals(method)
        && params != null
        && params.length == 4
        && params[1] instanceof JinjavaInterpreter interpreter
        && params[2] instanceof Object[] args
        && args.length == 0) {
      context.setPropertyResolved(true);
      return q.filter(params[0], interpreter);
    }
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return false;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
