/** The machine-readable reports of a verification run: JSON (with its schema), JUnit XML, GitHub annotations. */
export { REPORT_JSON_SCHEMA, REPORT_SCHEMA_VERSION, reportToJson, validateJson, validateReportJson, type JsonSchema, type JsonType, type ReportJson } from './json.js';
export { describeFailure, escapeXmlAttribute, escapeXmlText, junitTestCases, propertyOfWhere, replayText, reportToJunit, type JunitTestCase } from './junit.js';
export { annotation, escapeData, escapeProperty, githubAnnotations, MAX_ANNOTATIONS_PER_LEVEL, MAX_CASE_CHARS, shouldAnnotate } from './github.js';
