/** SDK_VERSION is the version of @govapp/sdk (kept equal to package.json by the tests). */
export declare const SDK_VERSION = "0.1.0";
