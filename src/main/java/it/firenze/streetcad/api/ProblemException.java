package it.firenze.streetcad.api;

/** Thrown by handlers to answer with a problem+json body; the server turns it into the response. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    public static ProblemException badRequest(String parameter, String detail) {
        return new ProblemException(Problem.of(400, "Bad request", detail).withParameter(parameter));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "Not found", detail));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "Conflict", detail));
    }

    public Problem problem() {
        return problem;
    }
}
