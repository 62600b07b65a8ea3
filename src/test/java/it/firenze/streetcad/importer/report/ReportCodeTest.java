package it.firenze.streetcad.importer.report;

import it.firenze.streetcad.api.Json;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The codes of an import report's notes and problems, as clients read them. */
class ReportCodeTest {

    @Test
    void aNoteIsItsCodeAndItsEnglishAndOneStoredBeforeCodesReadsBackWithoutACode() throws Exception {
        Note note = new Note(ReportCode.DBF_MISSING, "there is no .dbf beside roads.shp");
        assertEquals("{\"code\":\"dbf-missing\",\"message\":\"there is no .dbf beside roads.shp\"}",
                Json.mapper().writeValueAsString(note));
        assertEquals(note, Json.mapper().readValue(Json.mapper().writeValueAsString(note), Note.class));
        // a job checked before an upgrade keeps its report, whose notes were sentences alone, until its commit
        assertEquals(new Note(null, "there is no .dbf beside roads.shp"),
                Json.mapper().readValue("\"there is no .dbf beside roads.shp\"", Note.class));
    }

    @Test
    void everyCodeIsDocumentedInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> undocumented = Arrays.stream(ReportCode.values()).map(ReportCode::code)
                .filter(code -> !readme.contains("`" + code + "`")).toList();
        assertEquals(List.of(), undocumented);
    }
}
