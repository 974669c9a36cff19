package io.mailtree.shared.web;

import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

/**
 * Uploads that fail before any controller is chosen (too large, not multipart): answered here,
 * because the container's error page would parse the same upload again and fail again. The API
 * gets problem details; a page is sent back where it came from with the error code.
 */
@ControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class UploadProblemAdvice {

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<?> tooLarge(HttpServletRequest request) {
        return answer(request, new DomainProblem(413, "payload_too_large", "the upload is larger than allowed"));
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<?> malformed(HttpServletRequest request) {
        return answer(request, DomainProblem.invalid("malformed_multipart", "the upload is not a valid multipart form"));
    }

    private static ResponseEntity<?> answer(HttpServletRequest request, DomainProblem problem) {
        String path = request.getRequestURI();
        if (path.startsWith("/api/")) {
            ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(problem.status()), problem.getMessage());
            body.setProperty("code", problem.code());
            body.setInstance(URI.create(path));
            return ResponseEntity.status(problem.status()).header("Content-Type", "application/problem+json").body(body);
        }
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(path + "?error=" + problem.code())).build();
    }
}
