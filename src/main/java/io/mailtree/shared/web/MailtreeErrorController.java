package io.mailtree.shared.web;

import io.mailtree.shared.DomainProblem;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;

/**
 * What the servlet container shows for errors no controller handled (unknown paths, filter
 * failures): problem details with a code under {@code /api}, the error page elsewhere.
 */
@Controller
class MailtreeErrorController implements ErrorController {

    @RequestMapping("/error")
    ModelAndView error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object statusAttribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = statusAttribute instanceof Integer code ? code : 500;
        Object uriAttribute = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String uri = uriAttribute == null ? request.getRequestURI() : uriAttribute.toString();
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 401 -> "invalid_credentials";
            case 403 -> "forbidden";
            case 413 -> "payload_too_large";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        if (uri.startsWith("/api/")) {
            ProblemJson.write(response, new DomainProblem(status, code, code.replace('_', ' ')), uri);
            return null;
        }
        response.setStatus(status);
        ModelAndView page = new ModelAndView("error");
        page.addObject("status", status);
        page.addObject("problemCode", code);
        page.addObject("problemArgs", new Object[0]);
        return page;
    }
}
