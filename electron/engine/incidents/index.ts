export { IncidentTracker, type DetectionVia, type IncidentTrackerOptions } from './incident-tracker';
