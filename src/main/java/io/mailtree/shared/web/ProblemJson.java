package io.mailtree.shared.web;

import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes RFC 9457 problem documents straight to the response, for code that runs outside Spring
 * MVC's exception handling (security filters, the container's error page).
 */
public final class ProblemJson {

    private ProblemJson() {
    }

    public static void write(HttpServletResponse response, DomainProblem problem, String instance) throws IOException {
        response.setStatus(problem.status());
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        String body = "{\"type\":\"about:blank\",\"title\":" + json(title(problem.status())) + ",\"status\":"
                + problem.status() + ",\"detail\":" + json(problem.getMessage()) + ",\"instance\":" + json(instance)
                + ",\"code\":" + json(problem.code()) + "}";
        response.getWriter().write(body);
    }

    private static String title(int status) {
        return switch (status) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 400 -> "Bad Request";
            case 500 -> "Internal Server Error";
            default -> "Error";
        };
    }

    static String json(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
