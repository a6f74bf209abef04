package org.maclip.function;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.maclip.function.event.LambdaEvent;

/**
 * The Lambda entry point: an S3 event notification, sent directly or through SQS, in; the SQS
 * partial batch response out (empty for direct invocations, whose failures throw).
 */
@Named("score")
public class ScoreHandler implements RequestHandler<LambdaEvent, BatchResponse> {
  @Inject
  ScoringService service;

  @Override
  public BatchResponse handleRequest(LambdaEvent event, Context context) {
    return service.handle(event);
  }
}
