package io.mailtree.shared.web;

import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.servlet.ModelAndView;

/**
 * A domain refusal that a page controller did not turn into a form message (an id of another
 * account, a missing permission) renders the error page with its translated message and status.
 */
@ControllerAdvice(annotations = Controller.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class PageProblemAdvice {

    @ExceptionHandler(DomainProblem.class)
    ModelAndView problem(DomainProblem problem, HttpServletResponse response) {
        response.setStatus(problem.status());
        ModelAndView page = new ModelAndView("error");
        page.addObject("status", problem.status());
        page.addObject("problemCode", problem.code());
        page.addObject("problemArgs", problem.arguments());
        page.addObject("problemDetail", problem.getMessage());
        return page;
    }
}
