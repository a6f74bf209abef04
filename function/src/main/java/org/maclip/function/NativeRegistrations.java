package org.maclip.function;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.maclip.function.event.LambdaEvent;

/**
 * Types Jackson builds or writes by reflection, kept in the native binary. (The handler's input
 * and output are registered by Quarkus too; the event parser also reads message bodies into
 * {@link LambdaEvent} itself.)
 */
@RegisterForReflection(targets = {
    LambdaEvent.class, LambdaEvent.EventRecord.class, LambdaEvent.S3Entity.class,
    LambdaEvent.Bucket.class, LambdaEvent.S3Object.class,
    BatchResponse.class, BatchResponse.ItemFailure.class})
final class NativeRegistrations {
  private NativeRegistrations() {}
}
