package io.mailtree.shared.web;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.InvalidFields;
import java.util.LinkedHashMap;
import java.util.Map;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure of an API controller into RFC 9457 problem details with a stable
 * {@code code}: domain refusals keep theirs, framework errors get one too (malformed_json,
 * unknown_field, ...), and an unexpected error is logged and answered without its internals. A
 * request refused on several fields ({@link InvalidFields}) answers the first one's {@code code}
 * and {@code field}, and all of them in {@code errors}: {@code [{field, code, detail, ...}]}.
 */
@RestControllerAdvice(annotations = RestController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemAdvice.class);

    private final MessageSource messages;

    ApiProblemAdvice(MessageSource messages) {
        this.messages = messages;
    }

    @ExceptionHandler(DomainProblem.class)
    ResponseEntity<ProblemDetail> domain(DomainProblem problem, WebRequest request) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(problem.status()),
                messages.getMessage("problem." + problem.code(), problem.arguments(), problem.getMessage(),
                        LocaleContextHolder.getLocale()));
        body.setProperty("code", problem.code());
        problem.properties().forEach(body::setProperty);
        if (problem instanceof InvalidFields several) {
            // Every refused field in one answer: {field, code, detail} and the refusal's own members.
            body.setProperty("errors", several.errors().stream().map(e -> {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("field", e.field());
                error.put("code", e.problem().code());
                error.put("detail", messages.getMessage("problem." + e.problem().code(), e.problem().arguments(),
                        e.problem().getMessage(), LocaleContextHolder.getLocale()));
                error.putAll(InvalidFields.extras(e.problem()));
                return error;
            }).toList());
        }
        body.setInstance(URI.create(path(request)));
        return ResponseEntity.status(problem.status()).header(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .body(body);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException mismatch, WebRequest request) {
        return domain(DomainProblem.invalid("invalid_parameter", "the parameter " + mismatch.getName() + " is not valid")
                .with("parameter", mismatch.getName()), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception failure, WebRequest request) {
        log.error("Unexpected error on {}", path(request), failure);
        return domain(new DomainProblem(500, "internal_error", "an unexpected error occurred; it has been logged"),
                request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String text = String.valueOf(ex.getMessage());
        DomainProblem problem = text.contains("Unrecognized property") || text.contains("Unrecognized field")
                ? DomainProblem.invalid("unknown_field", "the request has a field this endpoint does not know: "
                        + unknownField(text))
                : DomainProblem.invalid("malformed_json", "the request body is not valid JSON of the expected shape");
        return new ResponseEntity<>(domain(problem, request).getBody(), HttpStatus.BAD_REQUEST);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getProperties() == null || !problem.getProperties().containsKey("code"))) {
            problem.setProperty("code", codeFor(statusCode));
        }
        return response;
    }

    private static String codeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status.is4xxClientError() ? "bad_request" : "internal_error";
        };
    }

    private static String unknownField(String message) {
        int start = message.indexOf('"');
        int end = start < 0 ? -1 : message.indexOf('"', start + 1);
        return start >= 0 && end > start ? message.substring(start + 1, end) : "?";
    }

    private static String path(WebRequest request) {
        return request.getDescription(false).replaceFirst("^uri=", "");
    }
}
