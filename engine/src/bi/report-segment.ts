// The segment that holds a report's filter in its entity's cube (build-cube-files.ts defines it, report-plan.ts names it).
export function reportSegment(report: string): string {
  return `report_${report}`;
}
