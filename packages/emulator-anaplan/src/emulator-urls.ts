/** Base URLs, known only once the server listens; modules keep a reference and read it late. */
export interface EmulatorUrls {
  /** http://host:port — also the auth-service and OAuth base. */
  url: string;
  /** url + '/2/0'. */
  apiUrl: string;
}
