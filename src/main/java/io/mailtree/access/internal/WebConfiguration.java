package io.mailtree.access.internal;

import io.mailtree.accounts.Account;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Hands the resolved {@link Caller} to controllers, enforces {@link RequiresPermission} (403 when
 * missing, D-23) and gives every rendered page what its navigation needs (which entries to show,
 * which account is open, whether "Back to main" applies).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new HandlerMethodArgumentResolver() {
            @Override
            public boolean supportsParameter(MethodParameter parameter) {
                return parameter.getParameterType() == Caller.class;
            }

            @Override
            public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
                    WebDataBinderFactory binders) {
                Caller caller = CallerAttribute.of(request.getNativeRequest(HttpServletRequest.class));
                if (caller == null) {
                    throw new DomainProblem(401, "not_signed_in", "sign in first");
                }
                return caller;
            }
        });
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if (handler instanceof HandlerMethod method) {
                    RequiresPermission required = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(),
                            RequiresPermission.class);
                    if (required == null) {
                        required = AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), RequiresPermission.class);
                    }
                    Caller caller = CallerAttribute.of(request);
                    if (required != null && (caller == null || !caller.has(required.value()))) {
                        throw DomainProblem.forbidden("permission_denied",
                                "the permission " + required.value() + " is required", required.value().name());
                    }
                }
                return true;
            }

            @Override
            public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler,
                    ModelAndView mav) {
                if (mav == null || (mav.getViewName() != null && mav.getViewName().startsWith("redirect:"))) {
                    return;
                }
                Caller caller = CallerAttribute.of(request);
                if (caller != null) {
                    Map<String, Boolean> nav = new java.util.HashMap<>();
                    for (Permission p : Permission.values()) {
                        nav.put(p.name(), caller.has(p));
                    }
                    mav.addObject("caller", caller);
                    mav.addObject("nav", nav);
                    mav.addObject("currentAccount", (Account) request.getAttribute(WebCallerFilter.CURRENT_ACCOUNT));
                    mav.addObject("homeAccount", (Account) request.getAttribute(WebCallerFilter.HOME_ACCOUNT));
                    mav.addObject("accountChoices", request.getAttribute(WebCallerFilter.ACCOUNT_CHOICES));
                    mav.addObject("switched", caller.context() == Caller.Context.SWITCHED);
                    Account home = (Account) request.getAttribute(WebCallerFilter.HOME_ACCOUNT);
                    mav.addObject("verified", home != null && home.isVerified());
                }
            }
        });
    }
}
