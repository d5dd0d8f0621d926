export { type ClassifierInput, classifyMeasurement } from './classify.ts';
export { ExpectedHttp, TargetExpectations } from './expectations.ts';
export { CLASSIFIER_VERSION } from './version.ts';
